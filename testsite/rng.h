// Deterministic pseudo-random numbers for the synthetic site: SplitMix64.
//
// Everything the testsite generates (page kinds, extra links, link spellings,
// filler words, latency jitter) comes from these functions, seeded by
// --seed and by what is generated (a page id, a path), so that the same seed
// gives the same bytes on every machine and every run. (std::uniform_*
// distributions are not specified bit for bit; these are.)
//
// Thread safety: hash functions are pure; an Rng is a value used by one thread.
#pragma once

#include <cstdint>
#include <string_view>

namespace preheat::testsite {

// SplitMix64's finaliser: a bijective mix of all 64 bits.
constexpr std::uint64_t mix64(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

// A hash of `seed` and `value` (order matters).
constexpr std::uint64_t hash2(std::uint64_t seed, std::uint64_t value) {
  return mix64(mix64(seed) ^ value);
}

// FNV-1a of `bytes`, mixed with `seed`.
constexpr std::uint64_t hash_bytes(std::uint64_t seed, std::string_view bytes) {
  std::uint64_t h = 0xCBF29CE484222325ULL;
  for (char c : bytes) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001B3ULL;
  }
  return hash2(seed, h);
}

class Rng {
 public:
  explicit constexpr Rng(std::uint64_t seed) : state_(seed) {}

  constexpr std::uint64_t next() {
    state_ += 0x9E3779B97F4A7C15ULL;
    return mix64(state_);
  }
  // A number in [0, n). REQUIRES: n > 0. (The modulo bias is irrelevant here.)
  constexpr std::uint64_t below(std::uint64_t n) { return next() % n; }
  // True with probability 1/n.
  constexpr bool one_in(std::uint64_t n) { return below(n) == 0; }

 private:
  std::uint64_t state_;
};

}  // namespace preheat::testsite
