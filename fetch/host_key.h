// The key that per-host limits are counted by: "scheme://host:port" with the
// default port filled in, lower-cased. Pure.
#pragma once

#include <string>

namespace preheat::fetch {

// "http://example.com:80" for "http://Example.com/a?b"; empty when the URL
// does not parse.
std::string host_key(const std::string& url);
// The same key through Boost.URL only (host_key's general path; host_key
// takes a parser-free path for plain URLs, tested against this one).
std::string host_key_by_parser(const std::string& url);

}  // namespace preheat::fetch
