#include "fetch/detail/proxy_environment.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <optional>
#include <string>
#include <vector>

namespace preheat::fetch::detail {
namespace {

// Clears every proxy variable for one test and puts the process's values
// back afterwards (the suite may run where a proxy is configured).
class ProxyEnvironmentTest : public ::testing::Test {
 protected:
  static constexpr const char* kNames[] = {"http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY",
                                           "all_proxy",  "ALL_PROXY",  "no_proxy",    "NO_PROXY"};
  void SetUp() override {
    for (const char* name : kNames) {
      const char* v = getenv(name);
      saved_.push_back(v == nullptr ? std::nullopt : std::optional<std::string>(v));
      unsetenv(name);
    }
  }
  void TearDown() override {
    for (std::size_t i = 0; i < saved_.size(); ++i) {
      if (saved_[i]) {
        setenv(kNames[i], saved_[i]->c_str(), 1);
      } else {
        unsetenv(kNames[i]);
      }
    }
  }
  std::vector<std::optional<std::string>> saved_;
};

TEST_F(ProxyEnvironmentTest, NothingSetMeansNoProxyForEither) {
  EXPECT_TRUE(proxy_environment_unset());
  EXPECT_FALSE(http_proxy_configured());
}

TEST_F(ProxyEnvironmentTest, AnHttpProxyHandsPlainHttpToLibcurl) {
  for (const char* name : {"http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"}) {
    setenv(name, "http://127.0.0.1:3128", 1);
    EXPECT_TRUE(http_proxy_configured()) << name;
    EXPECT_FALSE(proxy_environment_unset()) << name;
    unsetenv(name);
  }
}

TEST_F(ProxyEnvironmentTest, AnHttpsOnlyProxyOrNoProxyListLeavesPlainHttpNativeButLibcurlReadsThem) {
  for (const char* name : {"https_proxy", "HTTPS_PROXY", "no_proxy", "NO_PROXY"}) {
    setenv(name, "http://127.0.0.1:3128", 1);
    EXPECT_FALSE(http_proxy_configured()) << name;
    EXPECT_FALSE(proxy_environment_unset()) << name;
    unsetenv(name);
  }
}

TEST_F(ProxyEnvironmentTest, AnEmptyValueIsNoProxyButStillCountsAsSet) {
  setenv("http_proxy", "", 1);
  EXPECT_FALSE(http_proxy_configured());
  EXPECT_FALSE(proxy_environment_unset());  // libcurl reads it: do not override
}

}  // namespace
}  // namespace preheat::fetch::detail
