#include "ivk/transport/server_version.h"
#include "ivk/transport/auth_status.h"

#include <gtest/gtest.h>

#include <string>

namespace {

using ivk::ErrorCode;
using ivk::ServerVersion;
using Phase = ivk::ServerVersion::Phase;

ServerVersion v(std::string_view text) {
  auto parsed = ServerVersion::parse(text);
  EXPECT_TRUE(parsed.has_value()) << text << ": " << (parsed ? "" : parsed.error().describe());
  return parsed ? *parsed : ServerVersion{};
}

void expect_version(std::string_view text, int major, int minor, int patch, std::string_view pre, Phase phase,
                    int number) {
  const auto version = v(text);
  EXPECT_EQ(version.major, major) << text;
  EXPECT_EQ(version.minor, minor) << text;
  EXPECT_EQ(version.patch, patch) << text;
  EXPECT_EQ(version.prerelease, pre) << text;
  EXPECT_EQ(version.phase, phase) << text;
  EXPECT_EQ(version.phase_number, number) << text;
}

// Every format spec §0 lists as seen in the wild.
TEST(ServerVersion, ParsesFormatsSeenInTheWild) {
  expect_version("5.0.0", 5, 0, 0, "", Phase::final, 0);
  expect_version("5.10.0a1", 5, 10, 0, "a1", Phase::alpha, 1);
  expect_version("6.9.0rc1", 6, 9, 0, "rc1", Phase::rc, 1);
  expect_version("6.13.0.rc1", 6, 13, 0, "rc1", Phase::rc, 1);
  expect_version("6.14.0-rc1", 6, 14, 0, "rc1", Phase::rc, 1);
  expect_version("6.14.0-alpha", 6, 14, 0, "alpha", Phase::alpha, 0);
  expect_version("6.8.1.post1", 6, 8, 1, "post1", Phase::post, 1);
  expect_version("6.13.8", 6, 13, 8, "", Phase::final, 0);
}

TEST(ServerVersion, ParsesLenientVariants) {
  expect_version("v6.2.0", 6, 2, 0, "", Phase::final, 0);
  expect_version(" 6.8 ", 6, 8, 0, "", Phase::final, 0);
  expect_version("6.8.1+cu124", 6, 8, 1, "", Phase::final, 0);
  expect_version("5.6.0b2", 5, 6, 0, "b2", Phase::beta, 2);
  expect_version("6.0.0.dev3", 6, 0, 0, "dev3", Phase::dev, 3);
  expect_version("6.14.0-rc.2", 6, 14, 0, "rc.2", Phase::rc, 2);
  expect_version("6.15.0-nightly", 6, 15, 0, "nightly", Phase::dev, 0);  // unknown label: lowest
  expect_version("6.8.1.2", 6, 8, 1, "", Phase::final, 0);
}

TEST(ServerVersion, RejectsNonVersions) {
  for (std::string_view text : {"", "six", "6", "6.", "6.x", "6.8.1-", "99999999999.1.0"}) {
    auto parsed = ServerVersion::parse(text);
    EXPECT_FALSE(parsed.has_value()) << text;
    if (!parsed) {
      EXPECT_EQ(parsed.error().code, ErrorCode::parse_error);
    }
  }
  EXPECT_NE(ServerVersion::parse("six").error().message.find("expected e.g. 6.13.8"), std::string::npos);
}

TEST(ServerVersion, OrdersLikePep440) {
  EXPECT_LT(v("6.14.0.dev1"), v("6.14.0-alpha"));
  EXPECT_LT(v("6.14.0-alpha"), v("6.14.0a1"));
  EXPECT_LT(v("6.14.0a1"), v("6.14.0b1"));
  EXPECT_LT(v("6.14.0b1"), v("6.14.0rc1"));
  EXPECT_LT(v("6.14.0rc1"), v("6.14.0-rc2"));
  EXPECT_LT(v("6.14.0-rc2"), v("6.14.0"));
  EXPECT_LT(v("6.8.1"), v("6.8.1.post1"));
  EXPECT_LT(v("6.8.1.post1"), v("6.8.2"));
  EXPECT_LT(v("5.10.0"), v("6.0.0"));
  EXPECT_LT(v("6.9.0"), v("6.10.0"));  // numeric, not lexical
  EXPECT_EQ(v("6.13.0.rc1"), v("6.13.0-rc1"));
  EXPECT_EQ(v("6.13.0rc1"), v("6.13.0-rc1"));
  EXPECT_NE(v("6.13.0"), v("6.13.0rc1"));
  EXPECT_GT(v("6.13.8"), v("6.13.0"));
}

TEST(ServerVersion, ToString) {
  EXPECT_EQ(v("6.13.8").to_string(), "6.13.8");
  EXPECT_EQ(v("6.13.0.rc1").to_string(), "6.13.0-rc1");
  EXPECT_EQ(v("v6.8").to_string(), "6.8.0");
  EXPECT_TRUE(v("6.14.0-alpha").is_prerelease());
  EXPECT_FALSE(v("6.8.1.post1").is_prerelease());
}

TEST(ServerVersion, AtLeastComparesReleasesAndCountsPreReleasesAsTheirRelease) {
  const auto v5 = v("5.0.0");
  EXPECT_TRUE(v5.is_supported());
  EXPECT_FALSE(v("4.2.8").is_supported());
  EXPECT_FALSE(v5.at_least(6, 0));
  EXPECT_TRUE(v("5.7.0").at_least(5, 7));
  EXPECT_FALSE(v("5.8.0").has_runtime_config());
  EXPECT_TRUE(v("5.9.0rc1").has_runtime_config());
  EXPECT_FALSE(v("6.6.2").at_least(6, 7));
  EXPECT_TRUE(v("6.7.0").at_least(6, 7));
  EXPECT_TRUE(v("6.8.1.post1").at_least(6, 8, 1));
  EXPECT_FALSE(v("6.8.1.post1").at_least(6, 9));
  EXPECT_TRUE(v("6.9.0rc1").at_least(6, 9));  // pre-releases carry their release's routes
  EXPECT_FALSE(v("6.11.1").at_least(6, 12));
  EXPECT_TRUE(v("6.12.0rc1").at_least(6, 12));
  EXPECT_TRUE(v("6.13.0.rc1").at_least(6, 13));
  EXPECT_FALSE(v("6.13.7").at_least(6, 13, 8));
  EXPECT_TRUE(v("6.13.8").at_least(6, 13, 8));
  EXPECT_FALSE(v("6.13.8").at_least(6, 14));
  EXPECT_TRUE(v("6.14.0-alpha").at_least(6, 14));
}

TEST(ServerVersion, FromVersionResponse) {
  auto version = ServerVersion::from_version_response(R"({"version":"6.8.1","highlights":null})");
  ASSERT_TRUE(version) << version.error().describe();
  EXPECT_EQ(version->to_string(), "6.8.1");
  version = ServerVersion::from_version_response(R"({"version":"6.14.0-alpha"})");
  ASSERT_TRUE(version);
  EXPECT_EQ(version->phase, Phase::alpha);
  for (std::string_view body : {"", "<html>", R"({"detail":"Not Found"})", R"({"version":6})", "[]"}) {
    version = ServerVersion::from_version_response(body);
    ASSERT_FALSE(version) << body;
    EXPECT_EQ(version.error().code, ErrorCode::parse_error) << body;
  }
}

TEST(AuthStatus, ParsesStatusBody) {
  auto status = ivk::parse_auth_status(
      R"({"setup_required":false,"multiuser_enabled":true,"strict_password_checking":true,"admin_email":"a@b.c"})");
  ASSERT_TRUE(status) << status.error().describe();
  EXPECT_FALSE(status->setup_required);
  EXPECT_TRUE(status->multiuser_enabled);
  EXPECT_TRUE(status->strict_password_checking);
  EXPECT_EQ(status->admin_email, "a@b.c");

  status = ivk::parse_auth_status(
      R"({"setup_required":true,"multiuser_enabled":false,"strict_password_checking":false,"admin_email":null})");
  ASSERT_TRUE(status);
  EXPECT_TRUE(status->setup_required);
  EXPECT_FALSE(status->multiuser_enabled);
  EXPECT_FALSE(status->admin_email);

  status = ivk::parse_auth_status("{}");
  ASSERT_TRUE(status);
  EXPECT_FALSE(status->multiuser_enabled);

  status = ivk::parse_auth_status("<html>Not Found</html>");
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().code, ErrorCode::parse_error);
}

}  // namespace
