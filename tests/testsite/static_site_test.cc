// --root DIR: content types, directories, and every way out of DIR refused.
#include "testsite/static_site.h"

#include <filesystem>

#include <gtest/gtest.h>
#include <unistd.h>

#include "tests/support/support.h"
#include "tests/testsite/http_client.h"
#include "tests/testsite/running_server.h"

namespace preheat::testsite {
namespace {

namespace fs = std::filesystem;
using preheat::testing::TempDir;
using preheat::testing::write_file;

TEST(StaticSiteTest, ContentTypesByExtension) {
  const std::pair<std::string, std::string> cases[] = {
      {"index.html", "text/html"},
      {"A.HTM", "text/html"},
      {"style.css", "text/css"},
      {"app.js", "text/javascript"},
      {"data.json", "application/json"},
      {"logo.png", "image/png"},
      {"photo.JPG", "image/jpeg"},
      {"pic.svg", "image/svg+xml"},
      {"notes.txt", "text/plain"},
      {"feed.xml", "application/xml"},
      {"font.woff2", "font/woff2"},
      {"README", "application/octet-stream"},
      {"dir.d/file", "application/octet-stream"},
      {"x.unknown", "application/octet-stream"},
  };
  for (const auto& [name, type] : cases) EXPECT_EQ(content_type_for(name), type) << name;
}

TEST(StaticSiteTest, TargetsAreDecodedAndDotDotRefused) {
  struct Case {
    std::string target;
    std::string relative;
    bool slash;
    unsigned error;
  };
  const Case cases[] = {
      {"/", "", true, 0},
      {"/a/b.html", "a/b.html", false, 0},
      {"/a/./b/", "a/b", true, 0},
      {"//etc/passwd", "etc/passwd", false, 0},
      {"/my%20file.txt?x=1#y", "my file.txt", false, 0},
      {"/../secret", "", false, 403},
      {"/a/../../secret", "", false, 403},
      {"/%2e%2e/secret", "", false, 403},
      {"/%2E%2E%2fsecret", "", false, 403},
      {"/a/%2e%2e", "", true, 403},
      {"/%zz", "", false, 400},
      {"/a%", "", false, 400},
      {"/a%00.html", "", false, 400},
      {"a.html", "", false, 400},
  };
  for (const Case& c : cases) {
    const StaticTarget t = parse_static_target(c.target);
    EXPECT_EQ(t.error, c.error) << c.target;
    if (c.error == 0) {
      EXPECT_EQ(t.relative, c.relative) << c.target;
      EXPECT_EQ(t.trailing_slash, c.slash) << c.target;
    }
  }
}

class StaticServerTest : public ::testing::Test {
 protected:
  StaticServerTest() {
    fs::create_directories(dir_.path() / "root" / "sub");
    fs::create_directories(dir_.path() / "root" / "empty");
    write_file(root() / "index.html", "<!DOCTYPE html><title>home</title>");
    write_file(root() / "style.css", "body{}");
    write_file(root() / "logo.png", std::string("\x89PNG\r\n\x1a\n", 8));
    write_file(root() / "sub" / "index.html", "<p>sub</p>");
    write_file(root() / "my file.txt", "spaces");
    write_file(root() / "big.bin", std::string(3 << 20, 'b'));
    write_file(dir_.path() / "secret", "do not serve");
    fs::create_symlink(dir_.path() / "secret", root() / "escape.txt");
    fs::create_directory_symlink(dir_.path(), root() / "up");
    fs::create_symlink(root() / "style.css", root() / "inside.css");
    auto site = StaticSite::open(root());
    EXPECT_TRUE(site.ok());
    site_ = std::move(*site);
  }
  fs::path root() const { return dir_.path() / "root"; }

  TempDir dir_;
  std::unique_ptr<StaticSite> site_;
};

TEST_F(StaticServerTest, ServesFilesAndRefusesTheWayOut) {
  testing::RunningServer server(*site_, ServerOptions{});
  testing::HttpConnection c(server.port());
  struct Case {
    std::string target;
    int status;
    std::string content_type;
    std::string body;
  };
  const Case cases[] = {
      {"/", 200, "text/html", "<!DOCTYPE html><title>home</title>"},
      {"/index.html", 200, "text/html", "<!DOCTYPE html><title>home</title>"},
      {"/style.css", 200, "text/css", "body{}"},
      {"/logo.png", 200, "image/png", std::string("\x89PNG\r\n\x1a\n", 8)},
      {"/sub/", 200, "text/html", "<p>sub</p>"},
      {"/my%20file.txt", 200, "text/plain", "spaces"},
      {"/inside.css", 200, "text/css", "body{}"},  // a symlink that stays inside is fine
      {"/sub", 301, "", ""},
      {"/empty/", 404, "", ""},
      {"/nope.html", 404, "", ""},
      {"//etc/passwd", 404, "", ""},
      {"/../secret", 403, "", ""},
      {"/%2e%2e/secret", 403, "", ""},
      {"/sub/..%2F..%2Fsecret", 403, "", ""},
      {"/escape.txt", 403, "", ""},
      {"/up/secret", 403, "", ""},
      {"/%zz", 400, "", ""},
  };
  for (const Case& k : cases) {
    const testing::HttpReply r = c.get(k.target);
    EXPECT_EQ(r.status, k.status) << k.target;
    if (!k.content_type.empty()) {
      EXPECT_EQ(r.header("content-type"), k.content_type) << k.target;
    }
    if (!k.body.empty()) {
      EXPECT_EQ(r.body, k.body) << k.target;
    }
    EXPECT_EQ(r.body.find("do not serve"), std::string::npos) << k.target;
  }
  EXPECT_EQ(c.get("/sub?x=1").header("location"), "/sub/");
  EXPECT_FALSE(c.get("/style.css").header("last-modified").empty());
  const testing::HttpReply big = c.get("/big.bin");  // streamed
  EXPECT_EQ(big.status, 200);
  EXPECT_EQ(big.body, std::string(3 << 20, 'b'));
  EXPECT_EQ(c.get("/big.bin", "HEAD").content_length(), 3u << 20);
  EXPECT_EQ(c.get("/").status, 200);
  testing::HttpConnection no_host(server.port());
  no_host.send("GET / HTTP/1.1\r\n\r\n");
  EXPECT_EQ(no_host.read_reply().status, 400);
}

TEST(StaticSiteTest, OpenNeedsADirectory) {
  TempDir dir;
  write_file(dir / "file", "x");
  EXPECT_FALSE(StaticSite::open(dir / "missing").ok());
  EXPECT_FALSE(StaticSite::open(dir / "file").ok());
  EXPECT_NE(StaticSite::open(dir / "file").status().message().find("not a directory"), std::string::npos);
  EXPECT_TRUE(StaticSite::open(dir.path()).ok());
}

}  // namespace
}  // namespace preheat::testsite
