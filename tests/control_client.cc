#include "control_client.h"

#include <zmq.h>

namespace harness {

bool control_raw_request(const std::string &endpoint, const std::string &bytes, int timeout_ms,
			 std::string *answer)
{
	void *ctx = zmq_ctx_new(), *s = zmq_socket(ctx, ZMQ_REQ);
	int linger = 0;
	zmq_msg_t m;
	bool got;

	zmq_setsockopt(s, ZMQ_RCVTIMEO, &timeout_ms, sizeof(timeout_ms));
	zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof(linger));
	zmq_connect(s, endpoint.c_str());
	zmq_send(s, bytes.data(), bytes.size(), 0);
	zmq_msg_init(&m);
	got = zmq_msg_recv(&m, s, 0) >= 0;
	if (got)
		answer->assign(static_cast<const char *>(zmq_msg_data(&m)), zmq_msg_size(&m));
	zmq_msg_close(&m);
	zmq_close(s);
	zmq_ctx_term(ctx);
	return got;
}

}  // namespace harness
