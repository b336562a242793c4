/*
 * A plugin for the plugin manager's tests: it appends what it sees to the
 * session's "trace" metadata ("A:o" opening, "A:p" packet, "A:s" state,
 * "A:c" closing, "A:e" ERROR_EVENT_DETTACH), counts calls in its plugin
 * memory, and on the packet its config names detaches itself, detaches the
 * others, or drops the packet. Included by probe_a.c, probe_b.c, ... so
 * that each is a plugin of its own.
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include <stellar/plugin.h>

struct probe_counts {
	uint64_t opening, packets, state, closing, errors, freed, locks;
};

struct probe_ctx {
	uint64_t packets;
};

static struct {
	int detach_me_at, detach_others_at, drop_at, lock_at;
	int meta_at; /* sets "PROBE_TAG.value" with a free callback on this packet */
} cfg;

static struct probe_counts *counts(void)
{
	return stellar_plugin_memory(NULL);
}

static void trace(struct stellar_session *s, char what)
{
	char buf[1024] = "";
	void *old;
	size_t n = 0;

	if (session_get_metadata(s, "trace", &old, &n) == 0 && n < sizeof(buf) - 8)
		memcpy(buf, old, n);
	n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s:%c", n ? "," : "", PROBE_TAG, what);
	session_set_metadata(s, "trace", buf, n, NULL);
}

static void freed(void *value, size_t size)
{
	(void)value;
	(void)size;
	counts()->freed++;
}

static int load(uint16_t id, const char *config_json)
{
	json_t *j = json_loads(config_json, 0, NULL);

	(void)id;
	cfg.detach_me_at = (int)json_integer_value(json_object_get(j, "detach_me_at"));
	cfg.detach_others_at = (int)json_integer_value(json_object_get(j, "detach_others_at"));
	cfg.drop_at = (int)json_integer_value(json_object_get(j, "drop_at"));
	cfg.lock_at = (int)json_integer_value(json_object_get(j, "lock_at"));
	cfg.meta_at = (int)json_integer_value(json_object_get(j, "meta_at"));
	json_decref(j);
	return 0;
}

#ifndef PROBE_NO_RECONFIGURE
/* Takes a new config live. */
static int reconfigure(const char *config_json)
{
	return load(stellar_plugin_id(), config_json);
}
#define PROBE_RECONFIGURE .reconfigure = reconfigure,
#else
#define PROBE_RECONFIGURE
#endif

static void entry(struct stellar_session *s, void *pme)
{
	struct probe_ctx *c = pme;
	int n = (int)++c->packets;

	counts()->packets++;
	trace(s, 'p');
	if (n == cfg.meta_at) {
		char key[32];
		snprintf(key, sizeof(key), "%s.value", PROBE_TAG);
		session_set_metadata(s, key, "v", 1, freed);
	}
	if (n == cfg.lock_at && session_lock(s, stellar_plugin_id()) == 0)
		counts()->locks++;
	if (n == cfg.drop_at)
		session_drop_current_packet(s);
	if (n == cfg.detach_others_at)
		pm_session_dettach_others(s);
	if (n == cfg.detach_me_at)
		pm_session_dettach_me(s);
}

static void on_event(struct stellar_session *s, void *pme, uint32_t event)
{
	(void)pme;
	switch (event) {
	case STELLAR_EV_OPENING: counts()->opening++; trace(s, 'o'); break;
	case STELLAR_EV_STATE: counts()->state++; trace(s, 's'); break;
	case STELLAR_EV_CLOSING: counts()->closing++; trace(s, 'c'); break;
	}
}

static void on_error(struct stellar_session *s, void *pme, int error)
{
	(void)pme;
	if (error == ERROR_EVENT_DETTACH) {
		counts()->errors++;
		trace(s, 'e');
	}
}

static int command(const char *command, const char *args, char *reply, size_t len)
{
	const struct probe_counts *c = counts();

	(void)args;
	if (strcmp(command, "counts") != 0)
		return -22;
	snprintf(reply, len, "{\"opening\":%llu,\"packets\":%llu,\"state\":%llu,\"closing\":%llu,\"errors\":%llu,"
		 "\"freed\":%llu,\"locks\":%llu}", (unsigned long long)c->opening, (unsigned long long)c->packets,
		 (unsigned long long)c->state, (unsigned long long)c->closing, (unsigned long long)c->errors,
		 (unsigned long long)c->freed, (unsigned long long)c->locks);
	return 0;
}

#ifndef PROBE_FLAGS
#define PROBE_FLAGS 0
#endif
#ifndef PROBE_FILTER
#define PROBE_FILTER NULL
#endif

STELLAR_PLUGIN(.name = "probe_" PROBE_TAG, .flags = PROBE_FLAGS,
	       .events = STELLAR_EV_OPENING | STELLAR_EV_PACKET | STELLAR_EV_STATE | STELLAR_EV_CLOSING,
	       .ctx_size = sizeof(struct probe_ctx), .global_size = sizeof(struct probe_counts), .load = load,
	       .entry = entry, .on_event = on_event, .on_error = on_error, .command = command,
	       .free_callbacks = {freed}, .filter = {PROBE_FILTER}, PROBE_RECONFIGURE);
