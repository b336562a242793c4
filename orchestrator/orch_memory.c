#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_memzone.h>

#include "log.h"
#include "mbuf_meta.h"
#include "orch.h"
#include "paths.h"
#include "stage_merge.h"

#define MEMPOOL_CACHE 256

static int eal_init_primary(struct orch *o, const char *argv0)
{
	char prefix[64], lcores[96], loglevel[32], dev[2 * STELLAR_MAX_PORTS + 1][300];
	char *argv[16 + 2 * STELLAR_MAX_PORTS];
	int argc = 0, ndev;

	eal_file_prefix(o->cfg.instance, prefix, sizeof(prefix));
	snprintf(lcores, sizeof(lcores), "--lcores=%u@(%s)", TOPO_NODE_ORCH, o->cpus);
	snprintf(loglevel, sizeof(loglevel), "--log-level=%s",
		 o->cfg.log_level >= LOG_LVL_DEBUG ? "info" : "error");
	argv[argc++] = (char *)argv0;
	argv[argc++] = (char *)"--proc-type=primary";
	argv[argc++] = (char *)"--file-prefix";
	argv[argc++] = prefix;
	ndev = orch_ports_eal_args(o, true, dev, 2 * STELLAR_MAX_PORTS + 1);
	for (int i = 0; i < ndev; i++)
		argv[argc++] = dev[i];
	argv[argc++] = lcores;
	argv[argc++] = loglevel;
	argv[argc] = NULL;
	if (rte_eal_init(argc, argv) < 0) {
		LOG_ERR("DPDK initialisation failed: %s (are hugepages reserved? run `make hugepages`)",
			rte_strerror(rte_errno));
		return -1;
	}
	return 0;
}

static int create_ring(struct orch *o, uint16_t id)
{
	char name[RTE_RING_NAMESIZE];
	struct rte_ring *r;

	topo_ring_name(id, name, sizeof(name));
	r = rte_ring_create(name, o->cfg.pipeline.ring_size, (int)rte_socket_id(),
			    RING_F_SP_ENQ | RING_F_SC_DEQ);
	if (!r) {
		LOG_ERR("cannot create ring %s: %s", name, rte_strerror(rte_errno));
		return -1;
	}
	o->shm->graph.ring[id] = r;
	return 0;
}

static void add_input(struct stellar_shm *shm, uint16_t node, uint16_t ring)
{
	struct order_inputs *in = &shm->graph.inputs[node];

	in->ring[in->n++] = ring;
}

/* Rings exist for the maximum number of plugin workers, so scaling later is
 * only a matter of starting processes and changing steer[]. */
static int create_rings(struct orch *o)
{
	struct stellar_shm *shm = o->shm;
	uint16_t io = topo_node_id(NODE_IO, 0), amq = topo_node_id(NODE_AMQ, 0);

	for (unsigned s = 0; s < shm->n_shards; s++) {
		uint16_t r = topo_ring_io_session(0, s);

		if (create_ring(o, r) < 0)
			return -1;
		add_input(shm, topo_node_id(NODE_SESSION, s), r);
		for (unsigned w = 0; w < shm->max_plugin_workers; w++) {
			r = topo_ring_session_plugin(s, w);
			if (create_ring(o, r) < 0)
				return -1;
			add_input(shm, topo_node_id(NODE_PLUGIN, w), r);
		}
	}
	for (unsigned w = 0; w < shm->max_plugin_workers; w++) {
		uint16_t r = topo_ring_plugin_amq(w, 0);

		if (create_ring(o, r) < 0)
			return -1;
		add_input(shm, amq, r);
	}
	if (create_ring(o, topo_ring_amq_io(0, 0)) < 0)
		return -1;
	shm->graph.node[io].is_source = 1;
	return 0;
}

static void *reserve_zone(const char *name, size_t size, const char *what, unsigned shard)
{
	const struct rte_memzone *mz = rte_memzone_reserve_aligned(name, size, (int)rte_socket_id(), 0, 64);

	if (!mz)
		LOG_ERR("cannot reserve %zu MiB for the %s of session shard %u: %s (reserve more "
			"hugepages, or lower session.max_sessions / session.metadata_mb)",
			size >> 20, what, shard, rte_strerror(rte_errno));
	return mz ? mz->addr : NULL;
}

/* Session tables and metadata stores, one each per shard. */
static int create_session_tables(struct orch *o)
{
	const struct session_config *sc = &o->cfg.session;
	char name[RTE_MEMZONE_NAMESIZE];

	for (unsigned s = 0; s < o->shm->n_shards; s++) {
		size_t meta_bytes = (size_t)sc->metadata_mb << 20;
		void *mem;

		snprintf(name, sizeof(name), STELLAR_SESSIONS_FMT, s);
		mem = reserve_zone(name, session_table_size(sc->max_sessions), "session table", s);
		if (!mem)
			return -1;
		o->shm->sessions[s] = session_table_init(mem, sc->max_sessions, &sc->timeouts);
		snprintf(name, sizeof(name), STELLAR_META_FMT, s);
		mem = reserve_zone(name, meta_store_size(meta_bytes), "metadata store", s);
		if (!mem)
			return -1;
		o->shm->meta[s] = meta_store_init(mem, meta_bytes);
	}
	for (unsigned i = 0; i < o->shm->n_ports; i++)
		if (port_is_ethdev(o->shm->port_cfg[i].type))
			o->shm->live_clock = 1;
	return 0;
}

int orch_memory_create(struct orch *o, const char *argv0)
{
	const struct rte_memzone *mz;
	struct stellar_shm *shm;

	if (eal_init_primary(o, argv0) < 0)
		return -1;
	mz = rte_memzone_reserve(STELLAR_SHM_NAME, sizeof(*shm), (int)rte_socket_id(), 0);
	if (!mz) {
		LOG_ERR("cannot reserve %zu bytes of shared memory: %s", sizeof(*shm),
			rte_strerror(rte_errno));
		return -1;
	}
	shm = mz->addr;
	memset(shm, 0, sizeof(*shm));
	o->shm = shm;
	snprintf(shm->instance, sizeof(shm->instance), "%s", o->cfg.instance);
	shm->orch_pid = getpid();
	shm->burst = MERGE_BURST;
	shm->log_level = o->cfg.log_level;
	shm->n_ports = o->cfg.n_ports;
	shm->n_shards = o->cfg.pipeline.session_shards;
	shm->n_plugin_workers = o->cfg.pipeline.plugin_workers;
	shm->max_plugin_workers = o->cfg.pipeline.max_plugin_workers;
	memcpy(shm->port_cfg, o->cfg.ports, sizeof(o->cfg.ports));
	shm->decode_cfg = o->cfg.decode;
	for (unsigned b = 0; b < STELLAR_STEER_BUCKETS; b++)
		shm->steer[b] = (uint16_t)(b % shm->n_plugin_workers);

	shm->pool = rte_pktmbuf_pool_create(STELLAR_POOL_NAME, o->cfg.pipeline.mbufs, MEMPOOL_CACHE,
					    PKT_META_SIZE, RTE_MBUF_DEFAULT_BUF_SIZE,
					    (int)rte_socket_id());
	if (!shm->pool) {
		LOG_ERR("cannot create a pool of %u mbufs: %s (reserve more hugepages, or lower "
			"pipeline.mbufs)", o->cfg.pipeline.mbufs, rte_strerror(rte_errno));
		return -1;
	}
	if (create_rings(o) < 0 || create_session_tables(o) < 0 || orch_plugins_setup(o) < 0 ||
	    orch_ports_start(o) < 0)
		return -1;
	o->mempool_baseline = rte_mempool_in_use_count(shm->pool);
	/* Workers check these last: everything above is in place. */
	shm->layout_version = STELLAR_SHM_LAYOUT_VERSION;
	__atomic_store_n(&shm->magic, STELLAR_SHM_MAGIC, __ATOMIC_RELEASE);
	return 0;
}
