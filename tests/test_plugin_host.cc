// The plugin manager in one worker: loading (and refusing) plugins,
// dispatch order, detach semantics, drops, free callbacks, contexts that
// outlive the worker, and the Lua sandbox.
#include <gtest/gtest.h>

#include <sys/stat.h>

#include "plugin_fixture.h"

using plugins::Host;
using plugins::test_plugin;
using sessions::Endpoint;

namespace {

const Endpoint C = {"10.0.0.1", 40000}, S = {"10.0.0.2", 80};

pkt_decode udp() { return sessions::packet(17, C, S); }

TEST(PluginLoading, RefusesWhatIsNotAPluginOrSpeaksAnotherAbi)
{
	Host h;

	EXPECT_EQ(h.add("x", test_plugin("old_abi.so")), -EPROTO);
	EXPECT_NE(h.last_error.find("ABI 99"), std::string::npos) << h.last_error;
	EXPECT_EQ(h.add("x", "/usr/lib/x86_64-linux-gnu/libjansson.so"), -ENOEXEC);
	EXPECT_NE(h.last_error.find("no stellar_plugin_init"), std::string::npos) << h.last_error;
	EXPECT_EQ(h.add("x", "/nonexistent/plugin.so"), -ENOENT);
	EXPECT_EQ(h.add("x", "/etc/hostname"), -EINVAL);
	EXPECT_EQ(h.add("x", test_plugin("broken.lua")), -EINVAL);
	EXPECT_NE(h.last_error.find("broken.lua"), std::string::npos) << h.last_error;
}

TEST(PluginDispatch, InConfigOrderWithOpeningPacketAndClosing)
{
	Host h;
	ASSERT_EQ(h.add("a", test_plugin("probe_a.so")), 0);
	ASSERT_EQ(h.add("b", test_plugin("probe_b.so")), 0);
	ASSERT_EQ(h.add("c", test_plugin("probe_c.so")), 0);
	ASSERT_EQ(h.start(), 3u);

	EXPECT_EQ(h.packet(udp()), 0);
	EXPECT_EQ(h.trace(h.last), "A:o,A:p,B:o,B:p,C:o,C:p");
	h.packet(udp());
	EXPECT_EQ(h.trace(h.last), "A:o,A:p,B:o,B:p,C:o,C:p,A:p,B:p,C:p");
	h.close(h.last);
	EXPECT_EQ(h.trace_at_close, "A:o,A:p,B:o,B:p,C:o,C:p,A:p,B:p,C:p,A:c,B:c,C:c");
	EXPECT_EQ(h.command(0, "counts"),
		  "{\"opening\":1,\"packets\":2,\"state\":0,\"closing\":1,\"errors\":0,\"freed\":0,\"locks\":0}");
}

TEST(PluginDispatch, DettachMeStopsEveryCallbackForThatSession)
{
	Host h;
	ASSERT_EQ(h.add("a", test_plugin("probe_a.so")), 0);
	ASSERT_EQ(h.add("b", test_plugin("probe_b.so"), "{\"detach_me_at\": 1}"), 0);
	ASSERT_EQ(h.add("c", test_plugin("probe_c.so")), 0);
	ASSERT_EQ(h.start(), 3u);

	h.packet(udp());
	h.packet(udp());
	h.packet(udp());
	h.close(h.last);
	EXPECT_EQ(h.trace_at_close, "A:o,A:p,B:o,B:p,C:o,C:p,A:p,C:p,A:p,C:p,A:c,C:c");
	EXPECT_EQ(h.shm()->counts[0][1].detached, 1u);
	// Another session sees it again.
	h.packet(sessions::packet(17, Endpoint{"10.0.0.9", 1}, S));
	EXPECT_EQ(h.trace(h.last), "A:o,A:p,B:o,B:p,C:o,C:p");
}

TEST(PluginDispatch, DettachOthersSendsEachAttachedPluginOneErrorThenNothing)
{
	Host h;
	ASSERT_EQ(h.add("a", test_plugin("probe_a.so")), 0);
	ASSERT_EQ(h.add("b", test_plugin("probe_b.so"), "{\"detach_others_at\": 2}"), 0);
	ASSERT_EQ(h.add("c", test_plugin("probe_c.so")), 0);
	ASSERT_EQ(h.start(), 3u);

	h.packet(udp());
	h.packet(udp());
	// A and C each got ERROR_EVENT_DETTACH once, C was not called for
	// this packet any more, and only B goes on.
	EXPECT_EQ(h.trace(h.last), "A:o,A:p,B:o,B:p,C:o,C:p,A:p,B:p,A:e,C:e");
	for (int i = 0; i < 5; i++)
		h.packet(udp());
	h.close(h.last);
	EXPECT_EQ(h.trace_at_close, "A:o,A:p,B:o,B:p,C:o,C:p,A:p,B:p,A:e,C:e,B:p,B:p,B:p,B:p,B:p,B:c");
	EXPECT_NE(h.command(0, "counts").find("\"errors\":1,"), std::string::npos) << h.command(0, "counts");
	EXPECT_NE(h.command(2, "counts").find("\"errors\":1,"), std::string::npos) << h.command(2, "counts");
	EXPECT_NE(h.command(1, "counts").find("\"errors\":0,"), std::string::npos);
}

TEST(PluginDispatch, DropStopsLaterPluginsUnlessTheyAskToSeeDrops)
{
	Host h;
	ASSERT_EQ(h.add("a", test_plugin("probe_a.so")), 0);
	ASSERT_EQ(h.add("b", test_plugin("probe_b.so"), "{\"drop_at\": 1}"), 0);
	ASSERT_EQ(h.add("c", test_plugin("probe_c.so")), 0);
	ASSERT_EQ(h.add("d", test_plugin("probe_d.so")), 0);
	ASSERT_EQ(h.start(), 4u);

	EXPECT_EQ(h.packet(udp()), STAGE_DROP(DROP_PLUGIN));
	EXPECT_EQ(h.trace(h.last), "A:o,A:p,B:o,B:p,D:o,D:p");
	EXPECT_EQ(h.packet(udp()), 0);
	EXPECT_EQ(h.trace(h.last), "A:o,A:p,B:o,B:p,D:o,D:p,A:p,B:p,C:o,C:p,D:p");
	EXPECT_EQ(h.shm()->counts[0][1].dropped, 1u);
}

TEST(PluginDispatch, FreeCallbackRunsOnceWhenTheSessionCloses)
{
	Host h;
	ASSERT_EQ(h.add("a", test_plugin("probe_a.so"), "{\"meta_at\": 1}"), 0);
	ASSERT_EQ(h.start(), 1u);

	h.packet(udp());
	h.packet(udp());
	EXPECT_NE(h.command(0, "counts").find("\"freed\":0"), std::string::npos);
	h.close(h.last);
	EXPECT_NE(h.command(0, "counts").find("\"freed\":1"), std::string::npos) << h.command(0, "counts");
	h.close(h.last); // a closing event sent again after a crash
	EXPECT_NE(h.command(0, "counts").find("\"freed\":1"), std::string::npos);
}

TEST(PluginDispatch, DetachReleasesTheLock)
{
	Host h;
	ASSERT_EQ(h.add("a", test_plugin("probe_a.so"), "{\"lock_at\": 1, \"detach_me_at\": 2}"), 0);
	ASSERT_EQ(h.start(), 1u);

	h.packet(udp());
	EXPECT_EQ(h.record(h.last)->lock_mask, 1u);
	h.packet(udp());
	EXPECT_EQ(h.record(h.last)->lock_mask, 0u);
}

TEST(PluginContexts, LiveInSharedMemoryAndOutliveTheWorker)
{
	Host h;
	ASSERT_EQ(h.add("counter", harness::build_dir() + "/plugins/counter.so"), 0);
	ASSERT_EQ(h.start(), 1u);

	for (int i = 0; i < 5; i++)
		h.packet(udp());
	h.packet(sessions::packet(17, S, C));
	// The worker goes away (a restart); its successor carries on.
	h.stop();
	ASSERT_EQ(h.start(), 1u);
	for (int i = 0; i < 3; i++)
		h.packet(udp());
	auto *count = static_cast<uint64_t *>(h.ctx(0, h.last));
	EXPECT_EQ(count[0], 8u);
	EXPECT_EQ(count[1], 1u);
	EXPECT_EQ(h.command(0, "totals"), "{\"sessions\": 0, \"packets\": 9}");
	// A new session in the same record starts from zero.
	h.close(h.last);
	EXPECT_EQ(count[0], 0u);
}

TEST(LuaPlugins, SandboxEscapesFail)
{
	Host h;
	unlink("/tmp/stellar-sandbox-escaped");
	ASSERT_EQ(h.add("sandbox", test_plugin("sandbox.lua")), 0);
	ASSERT_EQ(h.start(), 1u);

	std::string r = h.command(0, "escapes");
	for (const char *what : {"os.execute", "io.open", "require", "dofile", "loadfile", "debug", "package",
				 "bytecode", "coroutine"})
		EXPECT_NE(r.find(std::string(what) + "=blocked"), std::string::npos) << what << ": " << r;
	EXPECT_EQ(r.find("allowed"), std::string::npos) << r;
	struct stat st;
	EXPECT_NE(stat("/tmp/stellar-sandbox-escaped", &st), 0);
}

TEST(LuaPlugins, AnEndlessLoopIsCutOffAndDetachedTheWorkerGoesOn)
{
	Host h;
	ASSERT_EQ(h.add("loop", test_plugin("loop.lua")), 0);
	ASSERT_EQ(h.add("a", test_plugin("probe_a.so")), 0);
	ASSERT_EQ(h.start(), 2u);

	EXPECT_EQ(h.packet(udp()), 0);
	EXPECT_EQ(h.shm()->counts[0][0].limit_hits, 1u);
	EXPECT_EQ(h.shm()->counts[0][0].errors, 1u);
	EXPECT_TRUE(h.record(h.last)->detached_mask & 1u);
	EXPECT_EQ(h.trace(h.last), "A:o,A:p"); // the next plugin still ran
	h.packet(udp());
	EXPECT_EQ(h.shm()->counts[0][0].packets, 1u) << "not called again for this session";
	h.packet(sessions::packet(17, Endpoint{"10.0.0.7", 7}, S));
	EXPECT_EQ(h.shm()->counts[0][0].limit_hits, 2u) << "other sessions still get it";
}

TEST(LuaPlugins, TypedMetadataSurvivesARestart)
{
	Host h;
	ASSERT_EQ(h.add("meta", test_plugin("meta.lua")), 0);
	ASSERT_EQ(h.start(), 1u);

	h.packet(udp());
	h.packet(udp());
	h.stop();
	ASSERT_EQ(h.start(), 1u);
	h.packet(udp());
	void *v;
	size_t n;
	uint8_t type;
	ASSERT_EQ(meta_get_typed(h.meta(), h.record(h.last), "lua.count", &v, &n, &type), 0);
	EXPECT_EQ(type, META_T_INTEGER);
	EXPECT_EQ(*static_cast<int64_t *>(v), 3);
	ASSERT_EQ(meta_get_typed(h.meta(), h.record(h.last), "lua.ratio", &v, &n, &type), 0);
	EXPECT_EQ(type, META_T_NUMBER);
	EXPECT_EQ(*static_cast<double *>(v), 0.5);
	ASSERT_EQ(meta_get_typed(h.meta(), h.record(h.last), "lua.name", &v, &n, &type), 0);
	EXPECT_EQ(std::string(static_cast<char *>(v), n), "web");
	ASSERT_EQ(meta_get_typed(h.meta(), h.record(h.last), "lua.proto", &v, &n, &type), 0);
	EXPECT_EQ(*static_cast<int64_t *>(v), 17);
}

}  // namespace

namespace {

TEST(LuaPlugins, PcallCannotSwallowTheBudgetAndNothingAbortsTheWorker)
{
	Host h;
	ASSERT_EQ(h.add("sneaky", test_plugin("sneaky.lua")), 0);
	ASSERT_EQ(h.start(), 1u) << "a strict-globals metatable on _G must not break loading";

	EXPECT_EQ(h.packet(udp()), 0);
	EXPECT_EQ(h.shm()->counts[0][0].limit_hits, 1u);
	EXPECT_TRUE(h.record(h.last)->detached_mask & 1u);
	// A full interpreter: the host's own pushes fail inside the protected
	// call, the command gets an error, the worker lives on.
	h.command(0, "fill");
	EXPECT_NE(h.command(0, "fill"), "");
	EXPECT_EQ(h.command(0, "free"), "freed");
}

}  // namespace

namespace {

TEST(PluginDispatch, AFreeCallbackRunsAsThePluginThatSetTheValue)
{
	Host h;
	ASSERT_EQ(h.add("a", test_plugin("probe_a.so"), "{\"meta_at\": 1}"), 0);
	ASSERT_EQ(h.add("b", test_plugin("probe_b.so")), 0);
	ASSERT_EQ(h.start(), 2u);

	h.packet(udp());
	h.close(h.last);
	EXPECT_NE(h.command(0, "counts").find("\"freed\":1"), std::string::npos) << h.command(0, "counts");
	EXPECT_NE(h.command(1, "counts").find("\"freed\":0"), std::string::npos) << h.command(1, "counts");
}

TEST(PluginDispatch, AQuarantinedPluginIsNotLoadedAndGetsNoErrorEvent)
{
	Host h;
	ASSERT_EQ(h.add("a", test_plugin("probe_a.so")), 0);
	ASSERT_EQ(h.add("b", test_plugin("probe_b.so"), "{\"detach_others_at\": 1}"), 0);
	h.shm()->quarantined_mask = 1u; // a: crashed too often
	ASSERT_EQ(h.start(), 1u);

	h.packet(udp());
	EXPECT_EQ(h.trace(h.last), "B:o,B:p");
}

}  // namespace
