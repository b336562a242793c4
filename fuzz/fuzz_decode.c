/* libFuzzer harness for the L2-L4 decoder: any bytes, any claimed wire
 * length, default and unusual tunnel ports. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "decode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct decode_config cfg;
	struct pkt_decode d;
	uint32_t wire;

	if (size < 2)
		return 0;
	decode_config_defaults(&cfg);
	/* The first byte picks the variant, so the fuzzer can reach both. */
	if (data[0] & 1) {
		cfg.vxlan_ports[1] = 53;
		cfg.geneve_ports[1] = 80;
		cfg.gtpu_ports[1] = 443;
		cfg.teredo_ports[1] = 123;
		decode_config_index(&cfg);
	}
	wire = (uint32_t)(size - 1) + ((data[0] & 2) ? 1000 : 0);
	decode_packet(data + 1, (uint32_t)(size - 1), wire, &cfg, &d);
	if (d.payload_off + (uint32_t)d.payload_len > size - 1)
		__builtin_trap();
	(void)decode_flow_hash(&d);
	return 0;
}
