// The plugin manager of one worker, in-process: a session table (from
// session_fixture.h), a metadata store and plugin slots in ordinary memory,
// laid out as the orchestrator lays them out, and packets as mbufs built by
// hand. Plugins are the real .so and .lua files.
#ifndef STELLAR_TESTS_PLUGIN_FIXTURE_H
#define STELLAR_TESTS_PLUGIN_FIXTURE_H

#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "harness.h"
#include "session_fixture.h"

extern "C" {
#include "plugin_check.h"
#include "plugin_command.h"
#include "plugin_host.h"
#include "plugin_sessions.h"
#include "stage_loop.h"
}

namespace plugins {

inline std::string test_plugin(const std::string &name)
{
	if (name.size() > 4 && name.compare(name.size() - 4, 4, ".lua") == 0)
		return harness::build_dir() + "/../tests/plugins/" + name;
	return harness::build_dir() + "/tests/plugins/" + name;
}

class Host {
public:
	Host() : sh_(1024)
	{
		size_t bytes = 1 << 20;

		meta_mem_ = aligned_alloc(64, (meta_store_size(bytes) + 63) & ~size_t(63));
		meta_ = meta_store_init(meta_mem_, bytes);
		ps_ = static_cast<plugins_shm *>(calloc(1, sizeof(plugins_shm)));
		ps_->lua_instructions = 100000;
		memset(groups_, 0, sizeof(groups_));
	}
	~Host()
	{
		stop();
		for (void *p : owned_)
			free(p);
		free(ps_);
		free(meta_mem_);
	}
	Host(const Host &) = delete;
	Host &operator=(const Host &) = delete;

	// As orchestrator/orch_plugins.c does it. Returns plugin_probe's result.
	int add(const std::string &name, const std::string &path, const std::string &config = "{}")
	{
		unsigned i = ps_->n_plugins;
		struct plugin_probe pr;
		char err[512];
		int rc = plugin_check_file(path.c_str(), &pr, err, sizeof(err));

		last_error = err;
		if (rc < 0)
			return rc;
		plugin_slot *sl = &ps_->p[i];
		snprintf(sl->name, sizeof(sl->name), "%s", name.c_str());
		snprintf(sl->path, sizeof(sl->path), "%s", path.c_str());
		sl->kind = pr.kind;
		sl->events = pr.events;
		sl->flags = pr.flags;
		sl->ctx_size = (pr.ctx_size + 7) & ~7u;
		sl->global_size = pr.global_size;
		sl->filter_leaf = FILTER_NONE;
		sl->config_json = keep(strdup(config.c_str()));
		if (sl->global_size)
			sl->global = keep(calloc(1, sl->global_size));
		if (sl->ctx_size)
			sl->ctx[0] = keep(calloc(sh_.table()->capacity, sl->ctx_size));
		ps_->n_plugins = i + 1;
		ps_->order[ps_->n_order++] = (uint16_t)i;
		return 0;
	}

	unsigned start()
	{
		plugin_env env{};

		env.n_shards = 1;
		env.tables[0] = sh_.table();
		env.metas[0] = meta_;
		env.plugins = ps_;
		env.counts = ps_->counts[0];
		env.node_counts = ps_->node_counts[0];
		env.current = &current_;
		env.groups = groups_;
		host_.reset(static_cast<plugin_host *>(calloc(1, sizeof(plugin_host))));
		return plugin_host_init(host_.get(), &env);
	}
	void stop()
	{
		if (host_)
			plugin_host_fini(host_.get());
		host_.reset();
	}

	// A packet through the session table, then the plugins. Returns the
	// dispatch verdict (0 or STAGE_DROP(...)).
	int packet(const pkt_decode &d, uint64_t ts = sessions::kSecond)
	{
		size_t size = sizeof(rte_mbuf) + PKT_META_SIZE + 256;
		std::unique_ptr<char[], void (*)(void *)> buf(static_cast<char *>(aligned_alloc(64, size)), free);
		memset(buf.get(), 0, size);
		auto *m = reinterpret_cast<rte_mbuf *>(buf.get());
		m->buf_addr = buf.get() + sizeof(rte_mbuf) + PKT_META_SIZE;
		m->buf_len = 256;
		m->data_len = 64;
		m->pkt_len = 64;
		m->nb_segs = 1;
		struct pkt_meta *meta = pkt_meta(m);
		meta->dec = d;
		meta->ts_ns = ts;
		meta->wire_len = 64;
		last = sh_.feed(d, ts);
		memcpy(meta->session, &last, sizeof(last));
		return plugin_dispatch_packet(host_.get(), m);
	}

	// The session closes (its event item arrives): closing events, then
	// what plugin_sessions does after them.
	void close(const pkt_session &ps)
	{
		session_event ev{ps.idx, ps.generation, EV_CLOSING, CLOSE_EOF, 0, 0};
		plugin_dispatch_close(host_.get(), &ev);
		trace_at_close = trace(ps);
		session *rec = sh_.at(ps.idx);
		meta_clear(meta_, rec, session_api_run_free_cb, &host_->api);
		rec->worker_flags |= WF_CLOSED;
	}

	std::string trace(const pkt_session &ps)
	{
		void *v;
		size_t n;

		if (meta_get(meta_, sh_.at(ps.idx), "trace", &v, &n) != 0)
			return "";
		return std::string(static_cast<char *>(v), n);
	}

	std::string command(unsigned plugin, const std::string &cmd, const std::string &args = "")
	{
		char reply[4096];
		int rc = plugin_command_run(host_.get(), plugin, cmd.c_str(), args.c_str(), reply, sizeof(reply));

		return rc == 0 ? std::string(reply) : "error " + std::to_string(rc) + ": " + reply;
	}

	plugin_host *host() { return host_.get(); }
	plugins_shm *shm() { return ps_; }
	sessions::Shard &shard() { return sh_; }
	session *record(const pkt_session &ps) { return sh_.at(ps.idx); }
	meta_store *meta() { return meta_; }
	void *ctx(unsigned plugin, const pkt_session &ps)
	{
		return static_cast<char *>(ps_->p[plugin].ctx[0]) + (size_t)ps.idx * ps_->p[plugin].ctx_size;
	}

	pkt_session last{};
	std::string trace_at_close;
	std::string last_error;

private:
	template <typename T> T *keep(T *p)
	{
		owned_.push_back(p);
		return p;
	}

	sessions::Shard sh_;
	void *meta_mem_;
	meta_store *meta_;
	plugins_shm *ps_;
	amq_group groups_[AMQ_MAX_GROUPS];
	uint64_t current_ = 0;
	std::unique_ptr<plugin_host, void (*)(void *)> host_{nullptr, free};
	std::vector<void *> owned_;
};

}  // namespace plugins

#endif
