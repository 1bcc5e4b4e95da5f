// `preheat export` end to end: the real binary crawls a testsite on loopback,
// exports the three formats (files and stdout), and the WARC is read back by
// npm warcio; bad input gets its exit code; a database crawled with
// --no-bodies, or written at schema 1, exports and says how many pages have
// no stored response.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <cstdio>
#include <set>
#include <sstream>

#include <boost/json/parse.hpp>

#include "testsite/site_model.h"
#include "tests/cli/subprocess.h"
#include "tests/support/support.h"
#include "tests/testsite/running_server.h"

namespace preheat::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

const fs::path kBinary = PREHEAT_BINARY;

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

struct CrawledSite {
  CrawledSite(const TempDir& dir, bool bodies)
      : model({.pages = 60, .fanout = 5, .seed = 11, .page_bytes = 800}),
        server(model, {}),
        base("http://127.0.0.1:" + std::to_string(server.port()) + "/") {
    std::vector<std::string> args = {"crawl", base, "--db", "c.db", "--quiet"};
    if (!bodies) args.push_back("--no-bodies");
    const ProcessResult r = run_process(kBinary, args, dir.path());
    EXPECT_TRUE(r.exited && r.exit_code == 0) << r.describe();
  }
  testsite::SiteModel model;
  testsite::testing::RunningServer server;
  std::string base;
};

TEST(CliExportTest, ExportsTheThreeFormatsOfARealCrawl) {
  TempDir dir;
  CrawledSite site(dir, true);
  const ProcessResult warc =
      run_process(kBinary, {"export", "--db", "c.db", "--format", "warc", "--out", "c.warc.gz"}, dir.path());
  ASSERT_TRUE(warc.exited && warc.exit_code == 0) << warc.describe();
  EXPECT_THAT(warc.err, HasSubstr("60 fetches (121 WARC records"));
  EXPECT_THAT(warc.err, HasSubstr("0 of 60 pages have no stored response"));
  EXPECT_FALSE(fs::exists(dir / "c.warc.gz.partial"));

#ifdef PREHEAT_NODE
  const std::string oracle = std::string(PREHEAT_SOURCE_DIR) + "/tests/export/warcio";
  ASSERT_TRUE(fs::exists(oracle + "/node_modules/warcio")) << "run scripts/setup (npm ci in tests/export/warcio)";
  const ProcessResult read = run_process(PREHEAT_NODE, {oracle + "/read_warc.js", (dir / "c.warc.gz").string()}, dir.path());
  ASSERT_TRUE(read.exited && read.exit_code == 0) << read.describe();
  std::vector<std::string> records = lines_of(read.out);
  ASSERT_EQ(records.size(), 121u);
  std::set<std::string> uris;
  for (std::size_t i = 1; i < records.size(); ++i) {
    const boost::json::object o = boost::json::parse(records[i]).as_object();
    const std::string type(o.at("type").as_string());
    EXPECT_EQ(type, i % 2 == 1 ? "request" : "response");
    if (type == "response") {
      uris.insert(std::string(o.at("uri").as_string()));
      EXPECT_EQ(o.at("status").as_int64(), 200);
      EXPECT_EQ(o.at("payload_digest"), o.at("payload_sha1_warc"));
      EXPECT_GT(o.at("payload_length").as_int64(), 0);
    }
  }
  auto truth = site.model.ground_truth(site.base);
  EXPECT_EQ(uris, std::set<std::string>(truth->begin(), truth->end()));
#endif

  const ProcessResult jsonl = run_process(kBinary, {"export", "--db", "c.db", "--format", "jsonl", "--out", "-"}, dir.path());
  ASSERT_TRUE(jsonl.exited && jsonl.exit_code == 0) << jsonl.describe();
  const std::vector<std::string> pages = lines_of(jsonl.out);
  ASSERT_EQ(pages.size(), 60u);
  for (const std::string& line : pages) {
    const boost::json::object o = boost::json::parse(line).as_object();
    EXPECT_EQ(o.at("status").as_int64(), 200);
    EXPECT_FALSE(o.at("title").as_string().empty());
  }
  EXPECT_THAT(jsonl.err, HasSubstr("60 pages to stdout"));

  const ProcessResult csv =
      run_process(kBinary, {"export", "--db", "c.db", "--format", "links-csv", "--out", "links.csv"}, dir.path());
  ASSERT_TRUE(csv.exited && csv.exit_code == 0) << csv.describe();
  const std::string text = read_file(dir / "links.csv");
  EXPECT_TRUE(text.starts_with("from,to,anchor,rel,tag,target_status,target_error\r\n"));
  EXPECT_THAT(text, HasSubstr(site.base + ","));
  EXPECT_THAT(text, HasSubstr(",200,\r\n"));
}

TEST(CliExportTest, BadInputAndUnwritableOutputHaveTheirExitCodes) {
  TempDir dir;
  CrawledSite site(dir, false);
  const auto run = [&](std::vector<std::string> args) { return run_process(kBinary, args, dir.path()); };
  ProcessResult r = run({"export", "--db", "c.db", "--format", "pdf", "--out", "x"});
  EXPECT_EQ(r.exit_code, 2) << r.describe();
  EXPECT_THAT(r.err, HasSubstr("unknown export format 'pdf' (formats: jsonl, warc, links-csv)"));
  r = run({"export", "--db", "missing.db", "--format", "jsonl", "--out", "x"});
  EXPECT_EQ(r.exit_code, 2) << r.describe();
  EXPECT_THAT(r.err, HasSubstr("no crawl database at 'missing.db'"));
  EXPECT_FALSE(fs::exists(dir / "x"));
  r = run({"export", "--db", "c.db", "--format", "jsonl", "--out", "no/such/dir/x.jsonl"});
  EXPECT_EQ(r.exit_code, 3) << r.describe();
  EXPECT_THAT(r.err, HasSubstr("cannot write 'no/such/dir/x.jsonl'"));
  write_file(dir / "text.db", "not a database at all, just some text that is long enough to be a header\n");
  r = run({"export", "--db", "text.db", "--format", "warc", "--out", "x"});
  EXPECT_EQ(r.exit_code, 2) << r.describe();
  // Crawled with --no-bodies: the WARC has only its warcinfo, and says why.
  r = run({"export", "--db", "c.db", "--format", "warc", "--out", "c.warc.gz"});
  EXPECT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_THAT(r.err, HasSubstr("0 fetches (1 WARC records"));
  EXPECT_THAT(r.err, HasSubstr("60 of 60 pages have no stored response (crawled with --no-bodies"));
}

TEST(CliExportTest, ASchemaOneDatabaseIsUpgradedAndExported) {
  TempDir dir;
  CrawledSite site(dir, true);
  // Back to what schema 1 was: no bodies table, no schema 3 columns or
  // table, user_version 1.
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir / "c.db").string().c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db,
                         "DROP TABLE bodies; DROP TABLE recrawls; ALTER TABLE pages DROP COLUMN robots; "
                         "ALTER TABLE pages DROP COLUMN checked_at_ms; ALTER TABLE pages DROP COLUMN not_modified; "
                         "PRAGMA user_version = 1;",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  const ProcessResult r = run_process(kBinary, {"export", "--db", "c.db", "--format", "warc", "--out", "-"}, dir.path());
  ASSERT_TRUE(r.exited && r.exit_code == 0) << r.describe();
  EXPECT_THAT(r.err, HasSubstr("60 of 60 pages have no stored response"));
  const ProcessResult jsonl = run_process(kBinary, {"export", "--db", "c.db", "--format", "jsonl", "--out", "-"}, dir.path());
  EXPECT_EQ(lines_of(jsonl.out).size(), 60u);
  // A newer schema is refused.
  ASSERT_EQ(sqlite3_open((dir / "c.db").string().c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "PRAGMA user_version = 9;", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  const ProcessResult newer = run_process(kBinary, {"export", "--db", "c.db", "--format", "jsonl", "--out", "-"}, dir.path());
  EXPECT_EQ(newer.exit_code, 2) << newer.describe();
  EXPECT_THAT(newer.err, HasSubstr("newer than this preheat"));
}

}  // namespace
}  // namespace preheat::testing
