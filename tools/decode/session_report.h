/* stellar-decode's session pass: the frames of a capture through the
 * session table exactly as stellar-session runs it (packet time as the
 * clock, everything closed at the end), reported per tshark tuple. */
#ifndef STELLAR_SESSION_REPORT_H
#define STELLAR_SESSION_REPORT_H

#include <stdint.h>

#include <jansson.h>

#include "decode.h"

struct session_report;

struct session_report *session_report_new(uint32_t max_sessions);
void session_report_free(struct session_report *r);
/* A frame (or a reassembled datagram) as stellar-session would get it. */
void session_report_packet(struct session_report *r, const struct pkt_decode *d, uint64_t ts_ns, uint32_t wire_len);
/* Closes what is open (reason eof) and returns the report. */
json_t *session_report_json(struct session_report *r);

#endif
