// response_head() renders what Beast writes for to_message() (the oracle:
// Beast's own serializer on the same Response): statuses known and unknown,
// HTTP/1.0 and 1.1, kept and closed connections, HEAD, extra headers that
// replace a field (any case) or that only Beast may write.
#include "serve/http_glue.h"

#include <sstream>

#include <gtest/gtest.h>

#include <boost/beast/http/write.hpp>

namespace preheat::serve {
namespace {

// What Beast sends for to_message(r, ...): head and (not for HEAD) body.
std::string beast_bytes(const Response& r, unsigned version, bool keep_alive, bool head) {
  std::ostringstream out;
  out << to_message(r, version, keep_alive, head);
  return out.str();
}

Response with(int status, std::string body, std::vector<std::pair<std::string, std::string>> headers = {}) {
  Response r;
  r.status = status;
  r.content_type = "application/json";
  r.body = std::move(body);
  r.headers = std::move(headers);
  return r;
}

TEST(ResponseHeadTest, WritesWhatBeastWrites) {
  const std::vector<Response> cases = {
      with(200, "{\"a\":1}\n"),
      with(200, ""),
      with(404, "<p>not here</p>"),
      with(503, "busy", {{"Retry-After", "1"}}),
      with(599, "unknown status"),
      with(405, "no", {{"Allow", "GET, HEAD"}}),
      with(200, "m", {{"Cache-Control", "no-store"}, {"X-One", "1"}, {"X-Two", "2"}}),
      with(200, "replaced", {{"content-type", "text/plain"}}),      // replaces Content-Type, appended last
      with(200, "replaced twice", {{"X-A", "1"}, {"x-a", "2"}}),  // the later one wins
      with(200, std::string(70'000, 'x')),
  };
  for (const Response& r : cases) {
    for (unsigned version : {10u, 11u}) {
      for (bool keep : {false, true}) {
        for (bool head : {false, true}) {
          const std::optional<std::string> mine = response_head(r, version, keep);
          ASSERT_TRUE(mine) << r.status;
          EXPECT_EQ(*mine + (head ? std::string() : r.body), beast_bytes(r, version, keep, head))
              << "status " << r.status << " version " << version << " keep " << keep << " head " << head;
        }
      }
    }
  }
}

TEST(ResponseHeadTest, LeavesTheFieldsBeastRewritesToBeast) {
  for (const char* name : {"Connection", "content-length", "Transfer-Encoding"}) {
    EXPECT_FALSE(response_head(with(200, "x", {{name, "close"}}), 11, true)) << name;
  }
}

}  // namespace
}  // namespace preheat::serve
