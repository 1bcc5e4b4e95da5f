#!/usr/bin/env bash
# Compares two URL lists (files, one URL a line, any order, duplicates and
# blank lines ignored): A is the reference (e.g. the HTML pages wget fetched),
# B the candidate (e.g. `preheat urls`). Prints the count of each, the URLs of
# A missing from B and the URLs of B not in A.
#
# Both lists are normalised first (bench/lib/normalise_urls.py), so spellings
# of one URL compare equal: scheme and host lower-cased, default port and
# fragment dropped, percent-escapes of unreserved characters decoded, as
# base/url_normalizer.h does. Nothing else is changed.
#
# Usage: bench/lib/compare_urls.sh [options] A B
#   --names NAME_A NAME_B   labels for the output (default: the file names)
#   --exact                 B must equal A (default: B must contain A)
#   --limit N               list at most N URLs per difference (default 50, 0 = all)
#   --only-a FILE           write the URLs of A missing from B to FILE
#   --only-b FILE           write the URLs of B not in A to FILE
#   --quiet                 print nothing, only the exit code
# Exit: 0 when B contains every URL of A (with --exact: and nothing else),
# 1 when not, 2 on bad usage or an unreadable file.
set -euo pipefail

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2; }

name_a="" name_b="" exact=0 limit=50 out_a="" out_b="" quiet=0
args=()
while (($# > 0)); do
  case "$1" in
    --names) (($# >= 3)) || usage; name_a=$2; name_b=$3; shift 3 ;;
    --exact) exact=1; shift ;;
    --limit) (($# >= 2)) || usage; limit=$2; shift 2 ;;
    --only-a) (($# >= 2)) || usage; out_a=$2; shift 2 ;;
    --only-b) (($# >= 2)) || usage; out_b=$2; shift 2 ;;
    --quiet) quiet=1; shift ;;
    -h|--help) usage ;;
    -*) echo "compare_urls.sh: unknown option $1" >&2; usage ;;
    *) args+=("$1"); shift ;;
  esac
done
((${#args[@]} == 2)) || usage
file_a=${args[0]} file_b=${args[1]}
for f in "$file_a" "$file_b"; do
  [[ -r $f ]] || { echo "compare_urls.sh: cannot read $f" >&2; exit 2; }
done
[[ $limit =~ ^[0-9]+$ ]] || { echo "compare_urls.sh: --limit wants a number, got '$limit'" >&2; exit 2; }
: "${name_a:=$file_a}" "${name_b:=$file_b}"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
normalise() { python3 "$here/normalise_urls.py" <"$1" | LC_ALL=C sort -u; }  # sorted for comm

normalise "$file_a" >"$tmp/a"
normalise "$file_b" >"$tmp/b"
LC_ALL=C comm -23 "$tmp/a" "$tmp/b" >"$tmp/only_a"
LC_ALL=C comm -13 "$tmp/a" "$tmp/b" >"$tmp/only_b"
[[ -n $out_a ]] && cp "$tmp/only_a" "$out_a"
[[ -n $out_b ]] && cp "$tmp/only_b" "$out_b"

count() { wc -l <"$1" | tr -d ' '; }
show() {  # file
  if ((limit == 0)); then sed 's/^/  /' "$1"; return; fi
  head -n "$limit" "$1" | sed 's/^/  /'
  local n; n=$(count "$1")
  if ((n > limit)); then echo "  ... and $((n - limit)) more"; fi
}
if ((quiet == 0)); then
  echo "$name_a: $(count "$tmp/a") URLs"
  echo "$name_b: $(count "$tmp/b") URLs"
  echo "in both: $(LC_ALL=C comm -12 "$tmp/a" "$tmp/b" | wc -l | tr -d ' ')"
  echo "in $name_a, missing from $name_b: $(count "$tmp/only_a")"
  show "$tmp/only_a"
  echo "in $name_b, not in $name_a: $(count "$tmp/only_b")"
  show "$tmp/only_b"
fi
if [[ -s $tmp/only_a ]]; then exit 1; fi
if ((exact == 1)) && [[ -s $tmp/only_b ]]; then exit 1; fi
exit 0
