#include <errno.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "log.h"
#include "orch.h"
#include "paths.h"

extern char **environ;

#define STARTUP_TIMEOUT_MS   15000
#define QUICK_DEATH_MS       2000   /* dying sooner than this counts as a crash loop */
#define RESPAWN_BACKOFF_MAX  2000

static const char *const binaries[NODE_KIND_MAX] = {
	[NODE_IO] = "stellar-io",
	[NODE_SESSION] = "stellar-session",
	[NODE_PLUGIN] = "stellar-plugin",
	[NODE_AMQ] = "stellar-amq",
};

static void set_state(struct orch *o, struct orch_worker *w, enum worker_state s)
{
	w->state = s;
	__atomic_store_n(&o->shm->nodes[w->node].state, (uint32_t)s, __ATOMIC_RELEASE);
}

static void enable(struct orch *o, enum node_kind kind, unsigned index)
{
	uint16_t node = topo_node_id(kind, index);
	struct orch_worker *w = &o->workers[node];

	w->enabled = true;
	o->shm->nodes[node].configured = 1;
	set_state(o, w, WORKER_STOPPED);
}

void orch_workers_init(struct orch *o)
{
	for (uint16_t n = 0; n < TOPO_MAX_NODES; n++) {
		struct orch_worker *w = &o->workers[n];

		w->node = n;
		topo_node_kind_index(n, &w->kind, &w->index);
	}
	/* Downstream first, so that nothing waits long for its consumer. */
	enable(o, NODE_AMQ, 0);
	for (unsigned i = 0; i < o->cfg.pipeline.plugin_workers; i++)
		enable(o, NODE_PLUGIN, i);
	for (unsigned i = 0; i < o->cfg.pipeline.session_shards; i++)
		enable(o, NODE_SESSION, i);
	enable(o, NODE_IO, 0);
}

int orch_worker_spawn(struct orch *o, struct orch_worker *w)
{
	char bin[PATH_MAX + 32], prefix[64], lcores[96], loglevel[32], index[16];
	char dev[2 * STELLAR_MAX_PORTS + 1][300];
	char *argv[20 + 2 * STELLAR_MAX_PORTS];
	int argc = 0, rc, ndev;
	posix_spawnattr_t attr;
	sigset_t none, defaults;
	pid_t pid;

	snprintf(bin, sizeof(bin), "%s/%s", o->bin_dir, binaries[w->kind]);
	eal_file_prefix(o->cfg.instance, prefix, sizeof(prefix));
	/* The node id is the lcore id: a successor reuses its mempool cache. */
	snprintf(lcores, sizeof(lcores), "--lcores=%u@(%s)", w->node, o->cpus);
	snprintf(loglevel, sizeof(loglevel), "--log-level=%s",
		 o->cfg.log_level >= LOG_LVL_DEBUG ? "info" : "error");
	snprintf(index, sizeof(index), "%u", w->index);
	argv[argc++] = bin;
	argv[argc++] = (char *)"--proc-type=secondary";
	argv[argc++] = (char *)"--file-prefix";
	argv[argc++] = prefix;
	ndev = orch_ports_eal_args(o, false, dev, 2 * STELLAR_MAX_PORTS + 1);
	for (int i = 0; i < ndev; i++)
		argv[argc++] = dev[i];
	argv[argc++] = (char *)"--no-telemetry";
	argv[argc++] = lcores;
	argv[argc++] = loglevel;
	argv[argc++] = (char *)"--";
	argv[argc++] = (char *)"--instance";
	argv[argc++] = o->cfg.instance;
	argv[argc++] = (char *)"--index";
	argv[argc++] = index;
	argv[argc] = NULL;

	sigemptyset(&none);
	sigemptyset(&defaults);
	sigaddset(&defaults, SIGPIPE);
	sigaddset(&defaults, SIGINT);
	sigaddset(&defaults, SIGTERM);
	sigaddset(&defaults, SIGCHLD);
	posix_spawnattr_init(&attr);
	/* Own process group: Ctrl-C reaches only the orchestrator, which then
	 * stops the workers in order. */
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
				 POSIX_SPAWN_SETSIGDEF);
	posix_spawnattr_setpgroup(&attr, 0);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &defaults);
	rc = posix_spawn(&pid, bin, NULL, &attr, argv, environ);
	posix_spawnattr_destroy(&attr);
	if (rc != 0) {
		LOG_ERR("cannot start %s: %s (was it built? run `make`)", bin, strerror(rc));
		return -rc;
	}
	w->pid = pid;
	w->spawned_ms = orch_now_ms();
	/* A new process loads the plugins' configs published so far: only a
	 * later push needs its answer (not what its predecessor said). */
	w->config_acked = __atomic_load_n(&o->shm->plugins.config_gen, __ATOMIC_ACQUIRE);
	w->config_needs_restart = false;
	w->in_at_spawn = counter_read(&o->shm->nodes[w->node].counters.in);
	w->last_seen_ms = w->spawned_ms;
	w->stop_sent_ms = 0;
	o->shm->nodes[w->node].pid = pid;
	set_state(o, w, WORKER_STARTING);
	LOG_INFO("started %s.%u (pid %d, lcore %u)", topo_kind_name(w->kind), w->index, (int)pid, w->node);
	return 0;
}

void orch_workers_start_all(struct orch *o)
{
	static const enum node_kind order[] = {NODE_AMQ, NODE_PLUGIN, NODE_SESSION, NODE_IO};

	for (unsigned k = 0; k < sizeof(order) / sizeof(order[0]); k++)
		for (uint16_t n = 0; n < TOPO_MAX_NODES; n++)
			if (o->workers[n].enabled && o->workers[n].kind == order[k])
				orch_worker_spawn(o, &o->workers[n]);
}

static struct orch_worker *by_pid(struct orch *o, pid_t pid)
{
	for (uint16_t n = 0; n < TOPO_MAX_NODES; n++)
		if (o->workers[n].pid == pid)
			return &o->workers[n];
	return NULL;
}

static void describe_exit(int status, char *buf, size_t len)
{
	if (WIFEXITED(status))
		snprintf(buf, len, "exited with status %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, len, "was killed by signal %d (%s)", WTERMSIG(status),
			 strsignal(WTERMSIG(status)));
	else
		snprintf(buf, len, "ended (status 0x%x)", status);
}

int orch_worker_restart(struct orch *o, enum node_kind kind, unsigned index, bool kill_it, char *msg, size_t len)
{
	uint16_t node = topo_node_id(kind, index);
	struct orch_worker *w = node == TOPO_NO_NODE ? NULL : &o->workers[node];

	if (!w || !w->enabled || kind == NODE_ORCH) {
		snprintf(msg, len, "no %s worker %u in this instance (see `stellarctl status`)", topo_kind_name(kind),
			 index);
		return -EINVAL;
	}
	if (o->phase != PHASE_RUNNING) {
		snprintf(msg, len, "the instance is %s", orch_phase_name(o->phase));
		return -EBUSY;
	}
	if (w->state != WORKER_RUNNING || !w->pid || w->restart_requested) {
		snprintf(msg, len, "%s.%u is %s; try again once it runs", topo_kind_name(kind), index,
			 worker_state_name(w->state));
		return -EBUSY;
	}
	w->restart_requested = true;
	w->restart_asked_ms = orch_now_ms();
	w->gap_start_us = orch_now_us();
	if (kill_it) {
		kill(w->pid, SIGKILL);
		snprintf(msg, len, "killed %s.%u (pid %d); it is restarted at once", topo_kind_name(kind), index,
			 (int)w->pid);
		return 0;
	}
	set_state(o, w, WORKER_STOPPING);
	orch_worker_send_stop(o, w, true);
	snprintf(msg, len, "restarting %s.%u (pid %d) gracefully", topo_kind_name(kind), index, (int)w->pid);
	return 0;
}

/* Died of its own fault: a signal the process raised on itself. Kills by
 * an operator (SIGKILL, SIGTERM) are not a plugin's crash. */
static bool crashed(int status)
{
	if (!WIFSIGNALED(status))
		return false;
	switch (WTERMSIG(status)) {
	case SIGSEGV: case SIGBUS: case SIGILL: case SIGFPE: case SIGABRT: case SIGSYS:
		return true;
	default:
		return false;
	}
}

static void on_death(struct orch *o, struct orch_worker *w, int status)
{
	uint64_t now = orch_now_ms(), backoff = 0;
	bool expected = w->state == WORKER_STOPPING && WIFEXITED(status) && WEXITSTATUS(status) == 0;
	bool requested = w->restart_requested;
	char how[96];
	uint64_t lost;

	w->pid = 0;
	if (!w->gap_start_us)
		w->gap_start_us = orch_now_us();
	describe_exit(status, how, sizeof(how));
	/* Even an orderly exit can leave mbufs behind if it was forced;
	 * recovery finds nothing when there is nothing. */
	lost = orch_recover_node(o, w->node);
	if (w->kind == NODE_PLUGIN)
		orch_plugins_worker_died(o, w->node, !requested && !expected && (crashed(status) || w->watchdog_kill));
	w->watchdog_kill = false;
	w->restart_requested = false;
	if (w->retiring && expected) {
		/* Scaled away, and gone: no longer part of the topology. */
		w->retiring = false;
		w->enabled = false;
		o->shm->nodes[w->node].configured = 0;
		__atomic_fetch_and(&o->shm->plugin_retired_mask, ~(1u << w->index), __ATOMIC_RELEASE);
		set_state(o, w, WORKER_ABSENT);
		LOG_INFO("plugin worker %u stopped (scaled away)", w->index);
		return;
	}
	if (requested && o->phase < PHASE_STOPPING) {
		/* Asked for: no back-off, no crash loop bookkeeping. */
		if (lost)
			LOG_WARN("%s.%u %s; %llu packet(s) it held were lost", topo_kind_name(w->kind), w->index, how,
				 (unsigned long long)lost);
		w->restarts++;
		o->shm->nodes[w->node].restarts = w->restarts;
		w->respawn_at_ms = now;
		set_state(o, w, WORKER_RESTARTING);
		orch_workers_tick(o);
		return;
	}
	if (expected && lost == 0) {
		set_state(o, w, WORKER_STOPPED);
		return;
	}
	LOG_WARN("%s.%u (pid %d) %s; %llu packet(s) it held were lost", topo_kind_name(w->kind),
		 w->index, (int)o->shm->nodes[w->node].pid, how, (unsigned long long)lost);
	if (o->phase >= PHASE_STOPPING || w->state == WORKER_STOPPING) {
		set_state(o, w, WORKER_STOPPED);
		return;
	}
	if (now - w->spawned_ms < QUICK_DEATH_MS) {
		w->quick_deaths++;
		backoff = 50ull << (w->quick_deaths < 6 ? w->quick_deaths : 6);
		if (backoff > RESPAWN_BACKOFF_MAX)
			backoff = RESPAWN_BACKOFF_MAX;
	} else {
		w->quick_deaths = 0;
	}
	w->restarts++;
	o->shm->nodes[w->node].restarts = w->restarts;
	w->respawn_at_ms = now + backoff;
	set_state(o, w, WORKER_RESTARTING);
}

void orch_workers_reap(struct orch *o)
{
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		struct orch_worker *w = by_pid(o, pid);

		if (w)
			on_death(o, w, status);
	}
}

void orch_workers_tick(struct orch *o)
{
	uint64_t now = orch_now_ms();

	for (uint16_t n = 0; n < TOPO_MAX_NODES; n++) {
		struct orch_worker *w = &o->workers[n];

		if (!w->enabled)
			continue;
		/* Back in service: its successor has taken a packet (watched
		 * for 10 s: without traffic there is no first packet). */
		if (w->gap_start_us && w->pid && w->state == WORKER_RUNNING &&
		    counter_read(&o->shm->nodes[n].counters.in) > w->in_at_spawn) {
			w->last_gap_us = orch_now_us() - w->gap_start_us;
			w->gap_start_us = 0;
		} else if (w->gap_start_us && orch_now_us() - w->gap_start_us > 10000000) {
			w->gap_start_us = 0;
		}
		if (w->state == WORKER_RESTARTING && now >= w->respawn_at_ms && o->phase < PHASE_STOPPING) {
			LOG_INFO("restarting %s.%u (restart %u)", topo_kind_name(w->kind), w->index, w->restarts);
			if (orch_worker_spawn(o, w) < 0)
				w->respawn_at_ms = now + RESPAWN_BACKOFF_MAX;
			continue;
		}
		if (!w->pid)
			continue;
		if (w->state == WORKER_STARTING && now - w->spawned_ms > STARTUP_TIMEOUT_MS) {
			LOG_WARN("%s.%u (pid %d) did not report in %u ms; killing it",
				 topo_kind_name(w->kind), w->index, (int)w->pid, STARTUP_TIMEOUT_MS);
			kill(w->pid, SIGKILL);
		} else if (w->state == WORKER_RUNNING &&
			   now - w->last_seen_ms > o->cfg.pipeline.heartbeat_timeout_ms) {
			LOG_WARN("%s.%u (pid %d) missed its heartbeats for %llu ms; killing it",
				 topo_kind_name(w->kind), w->index, (int)w->pid,
				 (unsigned long long)(now - w->last_seen_ms));
			w->watchdog_kill = true; /* a hang: the plugin inside it is to blame */
			kill(w->pid, SIGKILL);
		} else if (w->state == WORKER_STOPPING && w->stop_sent_ms &&
			   now - w->stop_sent_ms > o->cfg.pipeline.drain_timeout_ms + 2000) {
			LOG_WARN("%s.%u (pid %d) did not stop; killing it", topo_kind_name(w->kind),
				 w->index, (int)w->pid);
			kill(w->pid, SIGKILL);
			w->stop_sent_ms = now; /* once per grace period */
		}
	}
}

bool orch_workers_all_exited(const struct orch *o)
{
	for (uint16_t n = 0; n < TOPO_MAX_NODES; n++)
		if (o->workers[n].pid)
			return false;
	return true;
}

void orch_workers_kill_all(struct orch *o, int sig)
{
	for (uint16_t n = 0; n < TOPO_MAX_NODES; n++)
		if (o->workers[n].pid)
			kill(o->workers[n].pid, sig);
}
