/* stellar-decode internals: what a capture adds up to, in the same terms as
 * tests/data/oracle.py (tshark), so the two can be compared. */
#ifndef STELLAR_DECODE_REPORT_H
#define STELLAR_DECODE_REPORT_H

#include <stdint.h>

#include <jansson.h>

#include "decode.h"

struct report;

struct report *report_new(void);
void report_free(struct report *r);

/* One received frame: what it was classified as. */
void report_session_frame(struct report *r, const struct pkt_decode *d);
void report_fragment_frame(struct report *r);
void report_other_frame(struct report *r);
/* Encapsulations and decode errors of a frame, once per frame. */
void report_frame_layers(struct report *r, const struct pkt_decode *d);
/* Application values (HTTP hosts and URIs, DNS names, TLS SNIs). */
void report_add_string(struct report *r, const char *set, const char *value, unsigned len);

json_t *report_json(struct report *r);

/* app_extract.c: application values of a decoded packet, into the report. */
struct app_extract;
struct app_extract *app_extract_new(void);
void app_extract_free(struct app_extract *x);
void app_extract_packet(struct app_extract *x, struct report *r, const uint8_t *pkt, uint32_t len,
			const struct pkt_decode *d);

#endif
