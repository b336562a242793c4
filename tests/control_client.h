// A bare ZeroMQ client of the control API, for tests that send what
// stellarctl never would (malformed requests, no CURVE).
#ifndef STELLAR_TESTS_CONTROL_CLIENT_H
#define STELLAR_TESTS_CONTROL_CLIENT_H

#include <string>

namespace harness {

// Sends bytes as one REQ message to endpoint; true with the answer's bytes
// if one came within timeout_ms.
bool control_raw_request(const std::string &endpoint, const std::string &bytes, int timeout_ms,
			 std::string *answer);

}  // namespace harness

#endif
