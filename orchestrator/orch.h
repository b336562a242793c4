/* stellar-orchestrator internals: one struct orch per run, and the files
 * that each handle one part of it. */
#ifndef STELLAR_ORCH_H
#define STELLAR_ORCH_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "config.h"
#include "control.pb-c.h"
#include "plugin_check.h"
#include "shm_layout.h"

enum orch_phase {
	PHASE_RUNNING = 0,
	PHASE_DRAINING,  /* ports closed for input; waiting for in-flight packets */
	PHASE_CLOSING,   /* closing every open session (reason eof) */
	PHASE_STOPPING,  /* workers asked to exit */
	PHASE_DONE,
};

struct orch_worker {
	uint16_t node;
	enum node_kind kind;
	unsigned index;
	bool enabled;            /* part of the running topology */
	pid_t pid;
	enum worker_state state;
	uint32_t restarts;
	unsigned quick_deaths;   /* consecutive deaths soon after start */
	uint64_t spawned_ms;
	uint64_t last_seen_ms;   /* hello or heartbeat */
	uint64_t respawn_at_ms;
	uint64_t stop_sent_ms;
	bool restart_requested;  /* an operator's restart: respawn at once when it exits */
	bool retiring;           /* scaled away: stops once no session is steered to it */
	bool watchdog_kill;      /* killed by us for missing heartbeats (a hang) */
	/* Out of service since gap_start_us (a kill, a restart or scale
	 * request); until its successor takes a packet beyond in_at_spawn. */
	uint64_t gap_start_us;
	uint64_t in_at_spawn;
	uint64_t last_gap_us;    /* the last such gap, for status and the bench */
	uint64_t restart_asked_ms;
	/* Config pushes (plugin workers): the generation it answered for, and
	 * whether it needs a restart for it. */
	uint32_t config_acked;
	bool config_needs_restart;
	uint64_t config_pushed_ms;
};

/* A plugin command waiting for its worker's answer. */
#define ORCH_PENDING_COMMANDS 16
struct orch_pending_command {
	uint64_t token;            /* 0: free */
	uint64_t request_id;
	uint64_t deadline_ms;
	uint16_t worker;           /* the node it went to */
	pid_t worker_pid;
	void *sock;                /* the control socket it came in on */
	size_t client_len;
	uint8_t client[256];       /* the client's ZeroMQ routing id */
};

struct orch {
	struct stellar_config cfg;
	bool until_eof;
	char stats_json_path[PATH_MAX];
	char bin_dir[PATH_MAX];
	char cpus[64];

	struct stellar_shm *shm;
	uint64_t mempool_baseline;
	int lock_fd;
	int signal_fd;
	void *zctx;
	void *zcontrol;            /* ipc, always */
	void *zcontrol_tcp;        /* tcp with CURVE, when configured */
	void *zap;                 /* ZeroMQ's authentication handler for it */
	void *zanswering;          /* the socket of the request being served */
	void *zworkers;

	struct orch_worker workers[TOPO_MAX_NODES];
	struct plugin_probe probe[CONFIG_MAX_PLUGINS];
	struct orch_pending_command pending[ORCH_PENDING_COMMANDS];
	uint64_t next_token;
	unsigned scale_target;     /* plugin workers asked for; 0: no scale-up in progress */
	uint16_t plugin_ids[CONFIG_MAX_PLUGINS]; /* id (slot) of each configured plugin */
	uint32_t generation;       /* of the configuration running, 1 at start */
	uint32_t ack_gen;          /* waiting for the workers to take this config generation */
	uint32_t roll_mask;        /* plugin workers still to restart for a config apply */
	enum orch_phase phase;
	uint64_t phase_since_ms;
	uint64_t start_ms;
	bool drain_timed_out;
	int exit_code;
};

uint64_t orch_now_ms(void);
uint64_t orch_now_us(void);
const char *orch_phase_name(enum orch_phase phase);

/* orch_preflight.c: checks that need no DPDK, and the instance lock. */
int orch_preflight(struct orch *o);
void orch_release_lock(struct orch *o);

/* orch_memory.c: EAL primary and every shared object. */
int orch_memory_create(struct orch *o, const char *argv0);
/* orch_cleanup.c: leave nothing in hugetlbfs or /var/run/dpdk. */
void orch_cleanup_dpdk_files(const char *instance);
void orch_cleanup_run_dir(const char *instance);

/* orch_ports.c: ethdev ports (interfaces, NICs, virtual devices). */
bool orch_ports_have_pci(const struct orch *o);
/* EAL arguments creating the devices (primary) or allowing them (both). */
int orch_ports_eal_args(const struct orch *o, bool primary, char args[][300], int max);
int orch_ports_start(struct orch *o);
void orch_ports_stop(struct orch *o);

/* orch_workers.c */
void orch_workers_init(struct orch *o);
int orch_worker_spawn(struct orch *o, struct orch_worker *w);
void orch_workers_start_all(struct orch *o);
void orch_workers_reap(struct orch *o);
void orch_workers_tick(struct orch *o);
bool orch_workers_all_exited(const struct orch *o);
void orch_workers_kill_all(struct orch *o, int sig);

/* Restarts a worker on request (graceful: drain then exit; or kill).
 * Returns 0, or -EINVAL / -EBUSY with a reason in msg. */
int orch_worker_restart(struct orch *o, enum node_kind kind, unsigned index, bool kill_it, char *msg, size_t len);

/* orch_apply.c: a whole new config, live (stellarctl apply). Returns 0 or
 * a negative errno, with what was done or why not in msg. */
int orch_apply(struct orch *o, const char *name, const char *yaml, size_t yaml_len, char *msg, size_t len);
void orch_apply_tick(struct orch *o);

/* orch_scale.c: plugin workers, live. Returns 0 or -EINVAL / -EBUSY with
 * a reason in msg. */
int orch_scale_plugins(struct orch *o, unsigned n, char *msg, size_t len);
void orch_scale_tick(struct orch *o);
/* Active plugin workers (not scaled away). */
unsigned orch_active_plugin_workers(const struct orch *o);

/* orch_recovery.c: after a worker died, take back what it held. Returns the
 * number of packets lost with it. */
uint64_t orch_recover_node(struct orch *o, uint16_t node);
/* At exit after a timed-out drain: free what is still in the pipeline. */
uint64_t orch_sweep_leftovers(struct orch *o);

/* orch_worker_link.c */
int orch_worker_link_open(struct orch *o);
void orch_worker_link_poll(struct orch *o);
void orch_worker_send_stop(struct orch *o, struct orch_worker *w, bool graceful);
void orch_worker_send_stop_rx(struct orch *o, struct orch_worker *w);
void orch_worker_send_config(struct orch *o, struct orch_worker *w, uint32_t generation);

/* orch_control.c */
int orch_control_open(struct orch *o);
void orch_control_poll(struct orch *o);
/* Answers the request being served (on the socket it came in on). */
void orch_control_reply(struct orch *o, const void *client, size_t client_len,
			const Stellar__Control__V1__Response *resp);
void orch_control_reply_on(struct orch *o, void *sock, const void *client, size_t client_len,
			   const Stellar__Control__V1__Response *resp);
void orch_control_close(struct orch *o);
/* orch_control_curve.c: the tcp endpoint, CURVE only, and its ZAP handler
 * that lets in only the configured client keys. */
int orch_curve_open(struct orch *o, int64_t max_msg);
void orch_curve_serve(struct orch *o);

/* orch_plugins.c */
int orch_plugins_check(struct orch *o, char *err, size_t errlen);
int orch_plugins_check_config(struct stellar_config *cfg, struct plugin_probe *probe, char *err, size_t errlen);
int orch_filters_validate(const struct stellar_config *cfg, char *err, size_t errlen);
void *orch_zone(const char *name, size_t size, const char *what);
int orch_plugin_slot_fill(struct orch *o, unsigned id, const struct plugin_config *pc, const struct plugin_probe *pr,
			  uint32_t gen);
int orch_plugin_set_config(struct orch *o, unsigned id, const char *json, uint32_t gen);
int orch_plugins_plan(struct orch *o, const struct stellar_config *cfg, const uint16_t *ids);
int orch_plugins_setup(struct orch *o);
/* A plugin worker died; `its_fault` when it crashed or hung (not an
 * operator's kill or an orderly exit): then the plugin it was inside, if
 * any, is charged with a crash. */
void orch_plugins_worker_died(struct orch *o, uint16_t node, bool its_fault);
int orch_plugin_index(const struct orch *o, const char *name);

/* orch_plugin_command.c: returns true if it answered now, false if the
 * answer comes later (orch_plugin_command_reply). */
bool orch_plugin_command(struct orch *o, const void *client, size_t client_len, uint64_t request_id,
			 const Stellar__Control__V1__PluginCommandRequest *req, Stellar__Control__V1__Response *resp);
void orch_plugin_command_reply(struct orch *o, uint64_t token, int code, const char *reply);
void orch_plugin_command_tick(struct orch *o);
/* orch_worker_link.c */
void orch_worker_send_command(struct orch *o, struct orch_worker *w, uint64_t token, uint32_t plugin,
			      const char *command, const char *args);

/* orch_http.c, orch_http_routes.c: the optional HTTP listener, a client of the control API
 * (its own thread, talking to the control socket over inproc). */
int orch_http_start(struct orch *o);
void orch_http_stop(void);
/* After a config apply: the plugins' routes of the new config. */
void orch_http_routes_update(const struct orch *o);
/* Two plugins on one method and path, or a built-in path, is refused. */
int orch_http_routes_check(const struct stellar_config *cfg, char *err, size_t errlen);

/* orch_lifecycle.c */
void orch_begin_drain(struct orch *o, const char *why);
void orch_lifecycle_tick(struct orch *o);
void orch_finish(struct orch *o);

#endif
