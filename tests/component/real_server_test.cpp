// Against a real InvokeAI: runs only when IVK_TEST_URL names one (e.g. http://127.0.0.1:9090),
// otherwise every test is skipped. Read-only: it never installs, deletes or enqueues anything.
// IVK_TEST_TOKEN (or INVOKEAI_TOKEN) is sent on multi-user servers.
#include <gtest/gtest.h>

#include <cstdlib>
#include <map>
#include <optional>
#include <string>

#include "ivk/api/models_api.h"
#include "ivk/client/server_config.h"
#include "ivk/models/model_sync.h"
#include "ivk/transport/server_session.h"
#include "ivk/workflow/workflow.h"
#include "support/fixtures.h"

namespace {

std::optional<std::string> env(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return std::nullopt;
  return std::string(v);
}

class RealServer : public ::testing::Test {
 protected:
  void SetUp() override {
    auto url = env("IVK_TEST_URL");
    if (!url) GTEST_SKIP() << "IVK_TEST_URL is not set: no real InvokeAI to test against";
    auto token = env("IVK_TEST_TOKEN");
    if (!token) token = env("INVOKEAI_TOKEN");
    auto config = ivk::resolve_server_config(url, token, {}, std::nullopt);
    ASSERT_TRUE(config) << config.error().describe();
    session_.emplace(std::move(*config));
  }
  std::optional<ivk::ServerSession> session_;
};

TEST_F(RealServer, VersionAndAuthStatus) {
  auto version = session_->version();
  ASSERT_TRUE(version) << version.error().describe();
  EXPECT_GE(version->major, 4);  // the v2 model manager exists since 4.0
  auto auth = session_->auth_status();
  ASSERT_TRUE(auth) << auth.error().describe();
  if (version->at_least(6, 12)) {
    EXPECT_TRUE(auth->has_value());
  }
}

TEST_F(RealServer, ModelListRecordsAreReadableOneByOne) {
  ivk::ModelsApi models(*session_);
  auto all = models.list();
  ASSERT_TRUE(all) << all.error().describe();
  for (const auto& record : *all) {
    EXPECT_FALSE(record.key.empty());
    EXPECT_FALSE(record.base.empty());
  }
  if (all->empty()) GTEST_SKIP() << "the server has no models";
  auto first = models.get(all->front().key);
  ASSERT_TRUE(first) << first.error().describe();
  EXPECT_EQ(first->key, all->front().key);
  EXPECT_EQ(first->hash, all->front().hash);

  ivk::ModelFilter filter;
  filter.bases = {all->front().base};
  auto same_base = models.list(filter);
  ASSERT_TRUE(same_base) << same_base.error().describe();
  for (const auto& record : *same_base) EXPECT_EQ(record.base, all->front().base);

  auto absent = models.get("00000000-no-such-model");
  ASSERT_FALSE(absent);
  EXPECT_EQ(absent.error().code, ivk::ErrorCode::not_found);
}

TEST_F(RealServer, SyncPlanAgainstTheServersCatalog) {
  ivk::ModelsApi models(*session_);
  auto all = models.list();
  ASSERT_TRUE(all) << all.error().describe();
  ivk::ModelCatalog catalog(std::move(*all));
  auto wf = ivk::Workflow::load_file(ivk::test::fixture("workflows/sdxl-text-to-image.json"));
  ASSERT_TRUE(wf) << wf.error().describe();
  auto plan = ivk::plan_model_sync(*wf, catalog);
  ASSERT_TRUE(plan) << plan.error().describe();
  EXPECT_EQ(plan->decisions.size(), ivk::find_model_references(*wf).size());
}

}  // namespace
