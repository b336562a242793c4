/* libFuzzer harness for what the control socket takes from a client: any
 * bytes as a stellar.control.v1.Request, and the YAML an apply carries
 * through the config parser. Nothing may crash or leak. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "config.h"
#include "control.pb-c.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct stellar_config cfg;
	struct config_error err;
	Stellar__Control__V1__Request *req = stellar__control__v1__request__unpack(NULL, size, data);

	/* Either way the same bytes are also tried as a configuration. */
	if (config_load_string((const char *)data, size, "fuzz.yaml", "/nonexistent", &cfg, &err) == 0)
		config_release(&cfg);
	else
		config_release(&cfg);
	if (!req)
		return 0;
	if (req->op_case == STELLAR__CONTROL__V1__REQUEST__OP_APPLY && req->apply && req->apply->yaml) {
		if (config_load_string(req->apply->yaml, strlen(req->apply->yaml), "apply.yaml", "/nonexistent", &cfg,
				       &err) == 0)
			config_release(&cfg);
		else
			config_release(&cfg);
	}
	stellar__control__v1__request__free_unpacked(req, NULL);
	return 0;
}
