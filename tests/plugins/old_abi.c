/* Test plugin built as if for another plugin ABI: must be refused. */
#include <stellar/plugin.h>

const struct stellar_api *stellar_api_;
__attribute__((visibility("default"))) const struct stellar_plugin *stellar_plugin_init(const struct stellar_api *api);
const struct stellar_plugin *stellar_plugin_init(const struct stellar_api *api)
{
	static const struct stellar_plugin desc = {.size = sizeof(struct stellar_plugin), .abi_version = 99,
						   .name = "old_abi"};

	stellar_api_ = api;
	return &desc;
}
