// base/listen_address: the one parser of --listen for every server.
#include "base/listen_address.h"

#include <string>
#include <string_view>

#include <gtest/gtest.h>

namespace preheat {
namespace {

TEST(ListenAddressTest, ParsesWhatServersAcceptAndNamesWhatItRefuses) {
  struct Case {
    std::string text;
    std::string host;
    std::uint16_t port;
  };
  const Case good[] = {
      {"127.0.0.1:0", "127.0.0.1", 0},
      {"0.0.0.0:8080", "0.0.0.0", 8080},
      {"localhost:65535", "127.0.0.1", 65535},
      {"[::1]:9000", "::1", 9000},
  };
  for (const Case& c : good) {
    auto a = parse_listen_address(c.text);
    ASSERT_TRUE(a.ok()) << c.text << ": " << a.status().message();
    EXPECT_EQ(a->host, c.host);
    EXPECT_EQ(a->port, c.port);
  }
  EXPECT_EQ(parse_listen_address("[::1]:9000")->to_string(), "[::1]:9000");
  EXPECT_EQ(parse_listen_address("127.0.0.1:80")->to_string(), "127.0.0.1:80");
  for (std::string_view bad : {"127.0.0.1", "127.0.0.1:", "127.0.0.1:65536", "127.0.0.1:-1", "example.com:80",
                               "256.0.0.1:80", "1.2.3:80", "[xyz]:80", ":80", "127.0.0.1:8o"}) {
    auto a = parse_listen_address(bad);
    ASSERT_FALSE(a.ok()) << bad;
    EXPECT_NE(a.status().message().find("'" + std::string(bad) + "'"), std::string::npos) << a.status().message();
  }
}

}  // namespace
}  // namespace preheat
