/*
 * Stellar plugin API, the one header a C plugin includes.
 *
 * A plugin is a shared object with one exported symbol, made by the
 * STELLAR_PLUGIN() macro at the end of this file:
 *
 *     #include <stellar/plugin.h>
 *
 *     struct count { uint64_t packets; };          // per-session context
 *
 *     static void entry(struct stellar_session *s, void *pme)
 *     {
 *             ((struct count *)pme)->packets++;
 *     }
 *
 *     STELLAR_PLUGIN(.name = "count", .ctx_size = sizeof(struct count),
 *                    .events = STELLAR_EV_PACKET, .entry = entry);
 *
 * Stellar calls the plugin in every plugin worker. Per-session contexts
 * (`pme`, ctx_size bytes, zeroed when the session opens) and metadata live
 * in shared memory: a restarted worker, or another one after scaling,
 * carries on with them. State a plugin keeps in its own globals is per
 * worker and lost with it.
 *
 * ABI: the host hands the plugin a table of functions (struct stellar_api)
 * and the plugin hands back a descriptor (struct stellar_plugin); both carry
 * their size and STELLAR_PLUGIN_ABI, so fields can be added at the end
 * without breaking plugins built against an older header.
 */
#ifndef STELLAR_PLUGIN_H
#define STELLAR_PLUGIN_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "session_api.h"

#ifdef __cplusplus
extern "C" {
#endif

#define STELLAR_PLUGIN_ABI 1
#define STELLAR_PLUGIN_ENTRY "stellar_plugin_init"

/* Events a plugin subscribes to (stellar_plugin.events). */
#define STELLAR_EV_OPENING 0x01u /* a session was created (with its first packet) */
#define STELLAR_EV_PACKET  0x02u /* every packet: entry() */
#define STELLAR_EV_STATE   0x04u /* the TCP state changed with this packet */
#define STELLAR_EV_CLOSING 0x08u /* the session ends; no packet */

/* The error callback's reason: another plugin called
 * pm_session_dettach_others(); free what you hold for the session. */
#define ERROR_EVENT_DETTACH 1

/* stellar_plugin.flags */
#define STELLAR_PLUGIN_SEES_DROPPED 0x01u /* called for packets already dropped */

enum stellar_close_reason {
	STELLAR_CLOSE_NONE = 0,
	STELLAR_CLOSE_FIN,
	STELLAR_CLOSE_RST,
	STELLAR_CLOSE_TIMEOUT,
	STELLAR_CLOSE_EOF,
	STELLAR_CLOSE_EVICTED,
};

/* What a session is; addresses in network order, IPv4 in the first four
 * bytes. "client" is the initiator. */
struct stellar_session_info {
	uint8_t ip_version;      /* 4 or 6 */
	uint8_t proto;           /* IP protocol number */
	uint8_t state;           /* stellar_state_name() */
	uint8_t close_reason;    /* enum stellar_close_reason, once closing */
	uint8_t client_ip[16];
	uint8_t server_ip[16];
	uint16_t client_port;    /* ICMP: the echo identifier */
	uint16_t server_port;
	uint32_t zone;           /* encapsulation context (VLAN, tunnel id) */
	uint64_t packets[2];     /* [0] client to server, [1] back */
	uint64_t bytes[2];
	uint64_t first_ns;       /* time of the first and last packet */
	uint64_t last_ns;
	uint8_t midstream;       /* picked up without seeing its start */
};

/* The packet being handled (only during entry() and packet events). */
struct stellar_packet_info {
	const uint8_t *data;     /* the frame from its Ethernet header */
	uint32_t len;            /* bytes at data (contiguous) */
	uint32_t wire_len;
	uint64_t ts_ns;
	uint8_t dir;             /* 0: client to server */
	uint8_t tcp_flags;
	uint8_t dropped;         /* a plugin before this one dropped it */
	uint8_t tcp_invalid;     /* bad flags (1) or out of window (2) */
	uint16_t l3_off, l4_off; /* innermost headers */
	uint16_t payload_off, payload_len;
	uint32_t tcp_seq, tcp_ack;
};

struct stellar_api {
	uint32_t size;           /* sizeof(struct stellar_api) of the host */
	uint32_t abi_version;

	int (*session_get_metadata)(struct stellar_session *s, const char *key, void **value, size_t *size);
	int (*session_set_metadata)(struct stellar_session *s, const char *key, const void *value, size_t size,
				    session_free_cb free_cb);
	int (*session_del_metadata)(struct stellar_session *s, const char *key);
	int (*session_drop_current_packet)(struct stellar_session *s);
	int (*session_set_ratelimit_group)(struct stellar_session *s, uint32_t group);
	int (*session_lock)(struct stellar_session *s, uint16_t plug_id);
	int (*session_unlock)(struct stellar_session *s, uint16_t plug_id);
	int (*pm_session_dettach_me)(struct stellar_session *s);
	int (*pm_session_dettach_others)(struct stellar_session *s);
	int (*amq_group_create)(uint32_t group, uint64_t cir_bytes_per_s, uint64_t cbs_bytes);

	const struct stellar_session_info *(*session_info)(struct stellar_session *s);
	const struct stellar_packet_info *(*session_packet)(struct stellar_session *s);
	const char *(*state_name)(uint8_t state);
	uint16_t (*plugin_id)(void);
	/* The plugin's memory shared by every worker (global_size bytes). */
	void *(*plugin_memory)(size_t *size);
	void (*log)(int level, const char *fmt, va_list ap);
};

/* Log levels for stellar_log(). */
#define STELLAR_LOG_ERR  0
#define STELLAR_LOG_WARN 1
#define STELLAR_LOG_INFO 2

/* A REST route on the instance's HTTP listener (`http:` in the config):
 * METHOD PATH runs command(COMMAND, args) with the request body as args, or
 * its query string when there is no body; the reply is the HTTP answer
 * (200, or 400 when the command returns a negative errno). */
struct stellar_http_route {
	const char *method;      /* "GET", "POST", "PUT", "DELETE", "PATCH" */
	const char *path;        /* exact, e.g. "/wm/firewall/rules/json" */
	const char *command;
};

struct stellar_plugin {
	uint32_t size;           /* sizeof(struct stellar_plugin) of the plugin */
	uint32_t abi_version;
	const char *name;
	uint32_t events;         /* STELLAR_EV_* */
	uint32_t flags;          /* STELLAR_PLUGIN_* */
	uint32_t ctx_size;       /* per-session context bytes, in shared memory */
	uint32_t global_size;    /* plugin memory shared by every worker */

	/* `config_json` is the plugin's `config:` subtree as JSON ("{}" if
	 * none). Return 0, or a negative errno to refuse it (the worker then
	 * runs without this plugin and says why). */
	int (*load)(uint16_t plug_id, const char *config_json);
	void (*unload)(void);
	/* Every packet of a session the plugin is attached to. */
	void (*entry)(struct stellar_session *s, void *pme);
	/* STELLAR_EV_OPENING, _STATE, _CLOSING (see events). */
	void (*on_event)(struct stellar_session *s, void *pme, uint32_t event);
	/* ERROR_EVENT_DETTACH: release the session's resources; nothing more
	 * comes for this session. */
	void (*on_error)(struct stellar_session *s, void *pme, int error);
	/* `stellarctl plugin NAME COMMAND ARGS...`: write a reply (text or
	 * JSON) and return 0, or a negative errno. Runs in one worker. */
	int (*command)(const char *command, const char *args, char *reply, size_t reply_size);
	/* Every function a plugin passes to session_set_metadata(). */
	session_free_cb free_callbacks[8];
	/* Its filter chain (pcap expressions, NULL-terminated) when the
	 * configuration gives none: it is called only for matching packets. */
	const char *filter[8];
	/* A new `config:` subtree applied live (stellarctl apply): return 0
	 * once it is in effect, or a negative errno if the plugin needs a
	 * restart for it (its worker is then restarted, gracefully). Without
	 * this callback every config change restarts the workers. */
	int (*reconfigure)(const char *config_json);
	/* Its REST routes, ended by one with a NULL method. */
	struct stellar_http_route http_routes[8];
};

typedef const struct stellar_plugin *(*stellar_plugin_init_fn)(const struct stellar_api *api);

#ifndef STELLAR_HOST
/* The plugin side: the seed API by its names, through the host's table. */
extern const struct stellar_api *stellar_api_ __attribute__((visibility("hidden")));

static inline int session_get_metadata(struct stellar_session *s, const char *key, void **value, size_t *size)
{
	return stellar_api_->session_get_metadata(s, key, value, size);
}
static inline int session_set_metadata(struct stellar_session *s, const char *key, const void *value, size_t size,
				       session_free_cb free_cb)
{
	return stellar_api_->session_set_metadata(s, key, value, size, free_cb);
}
static inline int session_del_metadata(struct stellar_session *s, const char *key)
{
	return stellar_api_->session_del_metadata(s, key);
}
static inline int session_drop_current_packet(struct stellar_session *s)
{
	return stellar_api_->session_drop_current_packet(s);
}
static inline int session_set_ratelimit_group(struct stellar_session *s, uint32_t group)
{
	return stellar_api_->session_set_ratelimit_group(s, group);
}
static inline int session_lock(struct stellar_session *s, uint16_t plug_id)
{
	return stellar_api_->session_lock(s, plug_id);
}
static inline int session_unlock(struct stellar_session *s, uint16_t plug_id)
{
	return stellar_api_->session_unlock(s, plug_id);
}
static inline int pm_session_dettach_me(struct stellar_session *s)
{
	return stellar_api_->pm_session_dettach_me(s);
}
static inline int pm_session_dettach_others(struct stellar_session *s)
{
	return stellar_api_->pm_session_dettach_others(s);
}
static inline int amq_group_create(uint32_t group, uint64_t cir, uint64_t cbs)
{
	return stellar_api_->amq_group_create(group, cir, cbs);
}
static inline const struct stellar_session_info *session_info(struct stellar_session *s)
{
	return stellar_api_->session_info(s);
}
static inline const struct stellar_packet_info *session_packet(struct stellar_session *s)
{
	return stellar_api_->session_packet(s);
}
static inline const char *stellar_state_name(uint8_t state)
{
	return stellar_api_->state_name(state);
}
static inline uint16_t stellar_plugin_id(void)
{
	return stellar_api_->plugin_id();
}
static inline void *stellar_plugin_memory(size_t *size)
{
	return stellar_api_->plugin_memory(size);
}
static inline void stellar_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static inline void stellar_log(int level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	stellar_api_->log(level, fmt, ap);
	va_end(ap);
}

#ifdef __cplusplus
#define STELLAR_EXTERN_C extern "C"
#else
#define STELLAR_EXTERN_C
#endif

/* Defines the plugin's entry symbol around its descriptor fields. A host
 * whose table is older than this header's is refused (its table lacks
 * functions the wrappers above would call). */
#define STELLAR_PLUGIN(...)                                                                  \
	const struct stellar_api *stellar_api_;                                             \
	STELLAR_EXTERN_C __attribute__((visibility("default"))) const struct stellar_plugin * \
	stellar_plugin_init(const struct stellar_api *api);                                  \
	STELLAR_EXTERN_C const struct stellar_plugin *stellar_plugin_init(const struct stellar_api *api) \
	{                                                                                    \
		static const struct stellar_plugin desc = {                                  \
			.size = sizeof(struct stellar_plugin),                               \
			.abi_version = STELLAR_PLUGIN_ABI, __VA_ARGS__};                      \
		if (!api || api->abi_version != STELLAR_PLUGIN_ABI ||                        \
		    api->size < sizeof(struct stellar_api))                                  \
			return 0;                                                            \
		stellar_api_ = api;                                                          \
		return &desc;                                                                \
	}
#endif /* STELLAR_HOST */

#ifdef __cplusplus
}
#endif
#endif
