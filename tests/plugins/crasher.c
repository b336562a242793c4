/* Test plugin: crashes its worker on the Nth packet it sees
 * ({"crash_at": N}), or hangs in it for good ({"hang_at": N}). */
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <jansson.h>

#include <stellar/plugin.h>

static long crash_at, hang_at, seen;

static int load(uint16_t id, const char *config_json)
{
	json_t *j = json_loads(config_json, 0, NULL);

	(void)id;
	crash_at = (long)json_integer_value(json_object_get(j, "crash_at"));
	hang_at = (long)json_integer_value(json_object_get(j, "hang_at"));
	json_decref(j);
	return 0;
}

static void entry(struct stellar_session *s, void *pme)
{
	(void)s;
	(void)pme;
	seen++;
	if (crash_at && seen == crash_at)
		raise(SIGSEGV);
	while (hang_at && seen == hang_at)
		usleep(10000);
}

STELLAR_PLUGIN(.name = "crasher", .events = STELLAR_EV_PACKET, .load = load, .entry = entry);
