#include "export/sha1_digest.h"

#include <openssl/evp.h>

#include <new>

namespace preheat::exports {

Sha1::Sha1() : ctx_(EVP_MD_CTX_new()) {
  if (ctx_ == nullptr || EVP_DigestInit_ex(ctx_, EVP_sha1(), nullptr) != 1) throw std::bad_alloc();
}

Sha1::~Sha1() { EVP_MD_CTX_free(ctx_); }

void Sha1::update(std::string_view data) {
  if (!data.empty()) EVP_DigestUpdate(ctx_, data.data(), data.size());
}

std::array<std::uint8_t, 20> Sha1::digest() {
  std::array<std::uint8_t, 20> out{};
  unsigned int size = 0;
  EVP_DigestFinal_ex(ctx_, out.data(), &size);
  EVP_DigestInit_ex(ctx_, EVP_sha1(), nullptr);
  return out;
}

std::string base32(const std::uint8_t* data, std::size_t size) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  std::string out;
  out.reserve((size + 4) / 5 * 8);
  std::uint64_t bits = 0;
  int count = 0;
  for (std::size_t i = 0; i < size; ++i) {
    bits = (bits << 8) | data[i];
    count += 8;
    while (count >= 5) {
      out += kAlphabet[(bits >> (count - 5)) & 31];
      count -= 5;
    }
  }
  if (count > 0) out += kAlphabet[(bits << (5 - count)) & 31];
  while (out.size() % 8 != 0) out += '=';
  return out;
}

std::string warc_sha1(const std::array<std::uint8_t, 20>& digest) {
  return "sha1:" + base32(digest.data(), digest.size());
}

std::string warc_sha1(std::string_view data) {
  Sha1 h;
  h.update(data);
  return warc_sha1(h.digest());
}

}  // namespace preheat::exports
