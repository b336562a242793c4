// Session metadata: values copied into a shared store, free callbacks
// called exactly once (delete, overwrite, close), and the lock-free block
// lists shared by several workers.
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <thread>
#include <vector>

extern "C" {
#include "session_meta.h"
}

namespace {

struct FreeLog {
	std::map<std::string, int> calls; // "plugin/slot/key" -> times
	std::vector<std::string> values;
};

void on_free(void *ctx, uint16_t plugin, uint16_t slot, const char *key, void *value, size_t size)
{
	FreeLog *log = static_cast<FreeLog *>(ctx);

	log->calls[std::to_string(plugin) + "/" + std::to_string(slot) + "/" + key]++;
	log->values.emplace_back(static_cast<char *>(value), size);
}

class Meta : public ::testing::Test {
protected:
	void SetUp() override
	{
		size_t bytes = 1 << 20;

		mem_ = aligned_alloc(64, (meta_store_size(bytes) + 63) & ~size_t(63));
		ms = meta_store_init(mem_, bytes);
		memset(&s, 0, sizeof(s));
		s.meta_head = SESSION_NONE;
	}
	void TearDown() override { free(mem_); }

	uint64_t in_use() const
	{
		uint64_t n = 0;

		for (const meta_class &c : ms->cls)
			n += c.in_use;
		return n;
	}

	meta_store *ms;
	session s;
	FreeLog log;

private:
	void *mem_;
};

TEST_F(Meta, RejectsBadKeysAndValues)
{
	char big[META_VALUE_MAX + 1] = {0};
	std::string long_key(META_KEY_MAX, 'k');

	EXPECT_EQ(meta_set(ms, &s, 0, "", "x", 1, META_NO_FREE, on_free, &log), -EINVAL);
	EXPECT_EQ(meta_set(ms, &s, 0, nullptr, "x", 1, META_NO_FREE, on_free, &log), -EINVAL);
	EXPECT_EQ(meta_set(ms, &s, 0, long_key.c_str(), "x", 1, META_NO_FREE, on_free, &log), -EINVAL);
	EXPECT_EQ(meta_set(ms, &s, 0, "k", big, sizeof(big), META_NO_FREE, on_free, &log), -EINVAL);
	EXPECT_EQ(meta_set(ms, &s, 0, "k", nullptr, 4, META_NO_FREE, on_free, &log), -EINVAL);
	EXPECT_EQ(meta_get(ms, &s, "k", nullptr, nullptr), -ENOENT);
	EXPECT_EQ(meta_del(ms, &s, "k", on_free, &log), -ENOENT);
	EXPECT_EQ(in_use(), 0u);
}

TEST_F(Meta, ValuesAreCopiesOfEverySize)
{
	for (size_t size : {0ul, 1ul, 16ul, 17ul, 208ul, 209ul, 976ul, 977ul, (size_t)META_VALUE_MAX}) {
		std::string key = "k" + std::to_string(size);
		std::vector<char> v(size);
		void *out;
		size_t got;

		for (size_t i = 0; i < size; i++)
			v[i] = (char)(i * 7 + size);
		ASSERT_EQ(meta_set(ms, &s, 1, key.c_str(), v.data(), size, META_NO_FREE, on_free, &log), 0) << size;
		std::fill(v.begin(), v.end(), 0);
		ASSERT_EQ(meta_get(ms, &s, key.c_str(), &out, &got), 0);
		ASSERT_EQ(got, size);
		for (size_t i = 0; i < size; i++)
			ASSERT_EQ(static_cast<char *>(out)[i], (char)(i * 7 + size));
	}
	EXPECT_EQ(meta_clear(ms, &s, on_free, &log), 9u);
	EXPECT_TRUE(log.calls.empty()); // none had a callback
	EXPECT_EQ(in_use(), 0u);
}

TEST_F(Meta, FreeCallbackExactlyOnceOnOverwriteDeleteAndClose)
{
	ASSERT_EQ(meta_set(ms, &s, 2, "fw_action", "deny", 4, 5, on_free, &log), 0);
	ASSERT_EQ(meta_set(ms, &s, 2, "fw_action", "allow", 5, 5, on_free, &log), 0); // overwrite
	EXPECT_EQ(log.calls["2/5/fw_action"], 1);
	EXPECT_EQ(log.values.back(), "deny");
	ASSERT_EQ(meta_set(ms, &s, 3, "ids_sig", "1001", 4, 0, on_free, &log), 0);
	ASSERT_EQ(meta_set(ms, &s, 3, "lb_backend", "b2", 2, 1, on_free, &log), 0);
	ASSERT_EQ(meta_del(ms, &s, "ids_sig", on_free, &log), 0); // delete
	EXPECT_EQ(log.calls["3/0/ids_sig"], 1);
	EXPECT_EQ(meta_del(ms, &s, "ids_sig", on_free, &log), -ENOENT);
	EXPECT_EQ(meta_clear(ms, &s, on_free, &log), 2u); // close
	EXPECT_EQ(log.calls["2/5/fw_action"], 2);          // deny, then allow
	EXPECT_EQ(log.calls["3/1/lb_backend"], 1);
	EXPECT_EQ(log.calls["3/0/ids_sig"], 1);
	EXPECT_EQ(meta_clear(ms, &s, on_free, &log), 0u);
	EXPECT_EQ(log.values.size(), 4u);
	EXPECT_EQ(s.meta_head, SESSION_NONE);
	EXPECT_EQ(in_use(), 0u);
}

TEST_F(Meta, KeysAreSharedBetweenPlugins)
{
	void *v;
	size_t n;

	ASSERT_EQ(meta_set(ms, &s, 0, "fw_action", "deny", 4, META_NO_FREE, on_free, &log), 0);
	ASSERT_EQ(meta_get(ms, &s, "fw_action", &v, &n), 0);
	EXPECT_EQ(std::string(static_cast<char *>(v), n), "deny");
}

TEST_F(Meta, ExhaustionIsAnErrorAndEverythingComesBack)
{
	std::vector<session> many(20000);
	int rc = 0;
	unsigned stored = 0;

	for (auto &m : many)
		m.meta_head = SESSION_NONE;
	for (auto &m : many) {
		rc = meta_set(ms, &m, 0, "blob", "0123456789", 10, 1, on_free, &log);
		if (rc)
			break;
		stored++;
	}
	EXPECT_EQ(rc, -ENOMEM);
	// A small value spills into larger blocks before giving up.
	EXPECT_GT(stored, ms->cls[0].count);
	for (auto &m : many)
		meta_clear(ms, &m, on_free, &log);
	EXPECT_EQ(log.values.size(), stored);
	EXPECT_EQ(in_use(), 0u);
	EXPECT_EQ(meta_set(ms, &many[0], 0, "blob", "x", 1, 1, on_free, &log), 0);
}

TEST_F(Meta, WorkersAllocatingTogetherNeverShareABlock)
{
	constexpr unsigned kThreads = 4, kRounds = 20000;
	std::vector<std::thread> threads;
	std::vector<int> errors(kThreads, 0);

	for (unsigned t = 0; t < kThreads; t++)
		threads.emplace_back([this, t, &errors] {
			session mine[8];
			char value[40];

			for (auto &m : mine)
				m.meta_head = SESSION_NONE;
			for (unsigned r = 0; r < kRounds; r++) {
				session &m = mine[r % 8];
				snprintf(value, sizeof(value), "%u:%u", t, r);
				if (meta_set(ms, &m, (uint16_t)t, "v", value, strlen(value) + 1, META_NO_FREE, nullptr,
					     nullptr) != 0) {
					errors[t]++;
					continue;
				}
				void *got;
				if (meta_get(ms, &m, "v", &got, nullptr) != 0 || strcmp(static_cast<char *>(got), value) != 0)
					errors[t]++;
			}
			for (auto &m : mine)
				meta_clear(ms, &m, nullptr, nullptr);
		});
	for (auto &th : threads)
		th.join();
	for (unsigned t = 0; t < kThreads; t++)
		EXPECT_EQ(errors[t], 0) << "thread " << t;
	EXPECT_EQ(in_use(), 0u);
}

}  // namespace
