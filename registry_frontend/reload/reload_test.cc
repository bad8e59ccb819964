// Reloads off the request threads: the idle worker and the budgeted reload job (reloader.h).
#include <gtest/gtest.h>
#include <sched.h>

#include <future>
#include <vector>

#include "registry_frontend/reload/reloader.h"

namespace registry_frontend::reload {
namespace {

constexpr char kStore[] = R"({"accounts": [{"id": "111122223333"}],
  "principals": [{"arn": "arn:aws:iam::111122223333:user/alice"}]})";

TEST(IdleWorkerTest, RunsTasksInOrderAtIdlePriorityAndFinishesThemOnDestruction) {
  std::vector<int> order;
  std::vector<int> policies;
  {
    IdleWorker worker;
    EXPECT_TRUE(worker.idle_priority());
    for (int i = 0; i < 5; ++i) {
      worker.Post([&order, &policies, i] {
        order.push_back(i);
        policies.push_back(sched_getscheduler(0));
      });
    }
  }  // the destructor runs what was posted, then joins
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 3, 4}));
  for (int policy : policies) EXPECT_EQ(policy, SCHED_IDLE);
}

Reloader::Loader Text(std::string text) {
  return [text] { return policy_engine::Result<std::string>(text); };
}

// Reading, hashing and compiling all run on the idle worker.
TEST(ReloaderTest, LoadsHashesAndCompilesOnTheIdleWorker) {
  Reloader reloader;
  int loader_policy = -1;
  auto prepared = reloader.Prepare(
      [&] {
        loader_policy = sched_getscheduler(0);
        return policy_engine::Result<std::string>(std::string(kStore));
      },
      "", {});
  ASSERT_TRUE(prepared.snapshot) << prepared.snapshot.error().ToString();
  EXPECT_NE(*prepared.snapshot, nullptr);
  EXPECT_FALSE(prepared.fell_back);
  EXPECT_FALSE(prepared.unchanged);
  EXPECT_EQ(loader_policy, SCHED_IDLE);
  EXPECT_EQ(prepared.digest, Reloader::Digest(kStore));
  // The serving text again: nothing compiled.
  auto same = reloader.Prepare(Text(kStore), prepared.digest, {});
  EXPECT_TRUE(same.unchanged);
  ASSERT_TRUE(same.snapshot);
  EXPECT_EQ(*same.snapshot, nullptr);
  auto broken = reloader.Prepare(Text("{ broken"), prepared.digest, {});
  EXPECT_FALSE(broken.snapshot);  // the located error comes back as is
  EXPECT_FALSE(broken.unchanged);
  auto unreadable = reloader.Prepare(
      [] { return policy_engine::Result<std::string>(policy_engine::Status("IO_ERROR", "gone")); },
      "", {});
  ASSERT_FALSE(unreadable.snapshot);
  EXPECT_EQ(unreadable.snapshot.error().message(), "gone");
  EXPECT_TRUE(unreadable.digest.empty());
}

// A worker that cannot run (here: busy until released) costs at most the budget: the caller
// compiles itself.
TEST(ReloaderTest, FallsBackToTheCallerAfterTheBudget) {
  auto worker = std::make_shared<IdleWorker>();
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  worker->Post([released] { released.wait(); });
  Reloader reloader(worker, std::chrono::milliseconds(30));
  auto prepared = reloader.Prepare(Text(kStore), "", {});
  EXPECT_TRUE(prepared.fell_back);
  ASSERT_TRUE(prepared.snapshot) << prepared.snapshot.error().ToString();
  // Retired snapshots are destroyed on the worker, after what was posted before them.
  reloader.Retire(std::move(*prepared.snapshot));
  std::promise<int> policy;
  worker->Post([&policy] { policy.set_value(sched_getscheduler(0)); });
  release.set_value();
  EXPECT_EQ(policy.get_future().get(), SCHED_IDLE);
  Reloader inline_only(worker, std::chrono::milliseconds(0));  // budget 0: always the caller
  auto direct = inline_only.Prepare(Text(kStore), "", {});
  EXPECT_FALSE(direct.fell_back);
  EXPECT_TRUE(direct.snapshot);
}

TEST(ReloaderTest, DigestIsSha256OfTheText) {
  EXPECT_EQ(Reloader::Digest("a").size(), 32u);
  EXPECT_EQ(Reloader::Digest(kStore), Reloader::Digest(std::string(kStore)));
  EXPECT_NE(Reloader::Digest(kStore), Reloader::Digest(std::string(kStore) + " "));
  // SHA-256("abc"), FIPS 180-2 appendix B.1.
  std::string abc = Reloader::Digest("abc");
  EXPECT_EQ(static_cast<unsigned char>(abc[0]), 0xba);
  EXPECT_EQ(static_cast<unsigned char>(abc[31]), 0xad);
}

}  // namespace
}  // namespace registry_frontend::reload
