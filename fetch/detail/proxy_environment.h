// What the process environment says about proxies, read in one place for
// both transports (libcurl reads the same variables itself):
// - libcurl is told "no proxy" only when none of them is set at all, which
//   spares it reading them on every request and changes nothing;
// - the native HTTP/1.1 client does not speak to proxies, so a non-empty
//   proxy for http:// URLs hands every URL to libcurl (make_fetcher).
//
// Thread safety: reads the environment (getenv); call before threads that
// could setenv() start, as every caller here does.
#pragma once

namespace preheat::fetch::detail {

// None of the proxy variables libcurl reads is set (not even empty).
bool proxy_environment_unset();

// A non-empty proxy applies to http:// URLs (http_proxy, HTTP_PROXY,
// all_proxy, ALL_PROXY). no_proxy is not consulted: a proxy set for some
// hosts makes libcurl take them all, which is the safe side.
bool http_proxy_configured();

}  // namespace preheat::fetch::detail
