/* Test plugin: every session into rate-limit group 1 ({"cir": B/s, "cbs": B}). */
#include <jansson.h>

#include <stellar/plugin.h>

static int load(uint16_t id, const char *config_json)
{
	json_t *j = json_loads(config_json, 0, NULL);
	int rc = amq_group_create(1, (uint64_t)json_integer_value(json_object_get(j, "cir")),
				  (uint64_t)json_integer_value(json_object_get(j, "cbs")));

	(void)id;
	json_decref(j);
	return rc;
}

static void entry(struct stellar_session *s, void *pme)
{
	(void)pme;
	session_set_ratelimit_group(s, 1);
}

STELLAR_PLUGIN(.name = "limiter", .events = STELLAR_EV_PACKET, .load = load, .entry = entry);
