// SHA-1 over data given in pieces (OpenSSL libcrypto), and the WARC spelling
// of a digest: "sha1:" + RFC 4648 base32 (upper case, 32 characters).
// SHA-1 is what WARC tools expect in WARC-Block-Digest / WARC-Payload-Digest;
// it identifies content here, it is not a security measure.
//
// Thread safety: an object is used by one thread at a time.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

struct evp_md_ctx_st;

namespace preheat::exports {

class Sha1 {
 public:
  Sha1();
  ~Sha1();
  Sha1(const Sha1&) = delete;
  Sha1& operator=(const Sha1&) = delete;

  void update(std::string_view data);
  // The digest of everything given since construction or the last digest();
  // starts over.
  std::array<std::uint8_t, 20> digest();

 private:
  evp_md_ctx_st* ctx_;
};

// RFC 4648 base32, upper case, with '=' padding when the length needs it.
std::string base32(const std::uint8_t* data, std::size_t size);
// "sha1:VGMT4NSHA2AWVOR6EVYXQUGCNSONBWE5" for "abc".
std::string warc_sha1(std::string_view data);
std::string warc_sha1(const std::array<std::uint8_t, 20>& digest);

}  // namespace preheat::exports
