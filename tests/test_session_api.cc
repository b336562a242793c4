// The plugin-facing session API (session_set_metadata and friends, locks)
// over a real table and metadata store: free callbacks by (plugin, slot),
// each called exactly once, locks against timeout and eviction, handles of
// closed sessions refused.
#include <gtest/gtest.h>

#include <cerrno>
#include <string>
#include <vector>

#include "session_fixture.h"

extern "C" {
#include "session_api.h"
}

using namespace sessions;

namespace {

std::vector<std::string> freed;

void free_a(void *value, size_t size)
{
	freed.push_back("a:" + std::string(static_cast<char *>(value), size));
}

void free_b(void *value, size_t size)
{
	freed.push_back("b:" + std::string(static_cast<char *>(value), size));
}

void undeclared(void *, size_t) {}

class SessionApi : public ::testing::Test {
protected:
	void SetUp() override
	{
		freed.clear();
		size_t bytes = 1 << 20;
		mem_ = aligned_alloc(64, (meta_store_size(bytes) + 63) & ~size_t(63));
		meta_ = meta_store_init(mem_, bytes);
		memset(&host_, 0, sizeof(host_));
		ASSERT_EQ(session_api_declare_free_cb(&host_, 3, free_a), 0);
		ASSERT_EQ(session_api_declare_free_cb(&host_, 3, free_b), 1);
		ASSERT_EQ(session_api_declare_free_cb(&host_, 3, free_a), 0); // idempotent
	}
	void TearDown() override { free(mem_); }

	stellar_session handle(const pkt_session &ps, uint16_t plugin = 3)
	{
		stellar_session h;
		h.host = &host_;
		h.table = sh_.table();
		h.meta = meta_;
		h.idx = ps.idx;
		h.generation = ps.generation;
		h.plugin = plugin;
		return h;
	}
	// What a plugin worker does with a closing event.
	void worker_closes(uint32_t idx) { meta_clear(meta_, sh_.at(idx), session_api_run_free_cb, &host_); }

	Shard sh_{64};
	session_api_host host_;
	meta_store *meta_;

private:
	void *mem_;
};

TEST_F(SessionApi, RefusesUndeclaredCallbacksAndStaleHandles)
{
	pkt_session ps = sh_.feed(packet(17, {"10.0.0.1", 1}, {"10.0.0.2", 2}), kSecond);
	stellar_session h = handle(ps);

	EXPECT_EQ(session_set_metadata(&h, "k", "v", 1, undeclared), -EINVAL);
	EXPECT_EQ(session_lock(&h, 40), -EINVAL);
	EXPECT_EQ(session_set_metadata(nullptr, "k", "v", 1, nullptr), -ESTALE);
	sh_.advance(100 * kSecond); // times out; the record is freed at once here
	session_shard_reap(sh_.shard(), 10);
	EXPECT_EQ(session_set_metadata(&h, "k", "v", 1, nullptr), -ESTALE);
	EXPECT_EQ(session_get_metadata(&h, "k", nullptr, nullptr), -ESTALE);
	EXPECT_EQ(session_lock(&h, 3), -ESTALE);
}

TEST_F(SessionApi, EachFreeCallbackRunsExactlyOnce)
{
	pkt_session ps = sh_.feed(packet(17, {"10.0.0.1", 1}, {"10.0.0.2", 2}), kSecond);
	stellar_session h = handle(ps);
	void *v;
	size_t n;

	ASSERT_EQ(session_set_metadata(&h, "fw_action", "deny", 4, free_a), 0);
	ASSERT_EQ(session_set_metadata(&h, "fw_action", "allow", 5, free_b), 0); // overwrite
	EXPECT_EQ(freed, std::vector<std::string>({"a:deny"}));
	ASSERT_EQ(session_set_metadata(&h, "note", "x", 1, nullptr), 0);
	ASSERT_EQ(session_set_metadata(&h, "ctr", "7", 1, free_a), 0);
	ASSERT_EQ(session_del_metadata(&h, "ctr"), 0); // delete
	EXPECT_EQ(freed.back(), "a:7");
	// Another plugin reads what this one set.
	stellar_session other = handle(ps, 5);
	ASSERT_EQ(session_get_metadata(&other, "fw_action", &v, &n), 0);
	EXPECT_EQ(std::string(static_cast<char *>(v), n), "allow");
	// Close (here: a timeout) frees the rest, each once.
	sh_.advance(100 * kSecond);
	ASSERT_EQ(sh_.closed.size(), 1u);
	worker_closes(sh_.closed[0].idx);
	EXPECT_EQ(freed, std::vector<std::string>({"a:deny", "a:7", "b:allow"}));
	EXPECT_EQ(host_.free_calls, 3u);
	worker_closes(sh_.closed[0].idx);
	EXPECT_EQ(host_.free_calls, 3u);
}

TEST_F(SessionApi, EvictionFreesMetadataToo)
{
	std::vector<pkt_session> all;
	for (unsigned i = 0; i < 64; i++) {
		all.push_back(sh_.feed(packet(17, {"10.0.1.1", (uint16_t)(1000 + i)}, {"10.0.0.2", 2}), kSecond));
		stellar_session h = handle(all.back());
		ASSERT_EQ(session_set_metadata(&h, "id", std::to_string(i).c_str(), std::to_string(i).size(), free_b), 0);
	}
	sh_.feed(packet(17, {"10.0.9.9", 9}, {"10.0.0.2", 2}), 2 * kSecond); // table full: evicts one
	ASSERT_EQ(sh_.closed.size(), 1u);
	EXPECT_EQ(sh_.closed[0].reason, CLOSE_EVICTED);
	worker_closes(sh_.closed[0].idx);
	ASSERT_EQ(freed.size(), 1u);
	EXPECT_EQ(freed[0].substr(0, 2), "b:");
}

TEST_F(SessionApi, LockPinsAgainstTimeoutAndEvictionUntilUnlocked)
{
	pkt_session a = sh_.feed(packet(17, {"10.0.0.1", 1}, {"10.0.0.2", 2}), kSecond);
	stellar_session h = handle(a);

	ASSERT_EQ(session_lock(&h, 3), 0);
	ASSERT_EQ(session_lock(&h, 4), 0);
	EXPECT_EQ(sh_.advance(100 * kSecond), 0u);
	// Fill the table: the locked one is never the victim.
	for (unsigned i = 0; i < 70; i++)
		sh_.feed(packet(17, {"10.0.2.1", (uint16_t)(2000 + i)}, {"10.0.0.2", 2}), 100 * kSecond);
	for (const Closed &c : sh_.closed)
		EXPECT_NE(c.idx, a.idx);
	ASSERT_EQ(session_unlock(&h, 3), 0);
	EXPECT_EQ(sh_.advance(300 * kSecond) > 0, true);
	bool a_closed = false;
	for (const Closed &c : sh_.closed)
		a_closed |= c.idx == a.idx;
	EXPECT_FALSE(a_closed) << "plugin 4 still holds it";
	ASSERT_EQ(session_unlock(&h, 4), 0);
	sh_.advance(500 * kSecond);
	for (const Closed &c : sh_.closed)
		a_closed |= c.idx == a.idx;
	EXPECT_TRUE(a_closed);
}

}  // namespace

namespace {

TEST_F(SessionApi, NothingIsSetOnceTheWorkerHasClosedTheSession)
{
	pkt_session ps = sh_.feed(packet(17, {"10.0.0.1", 1}, {"10.0.0.2", 2}), kSecond);
	stellar_session h = handle(ps);

	sh_.workers_past = false; // the record stays a zombie
	sh_.advance(100 * kSecond);
	worker_closes(ps.idx);
	EXPECT_EQ(session_set_metadata(&h, "late", "x", 1, free_a), -ESTALE);
	EXPECT_EQ(session_lock(&h, 3), -ESTALE);
}

}  // namespace
