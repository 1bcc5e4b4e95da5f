#!/usr/bin/env bash
# A fleet claim on a large frontier (issue 8, PostgreSQL migration 4): the
# claim and the host-acquiring statements of store/postgres/postgres_fleet.cc
# as they were before frontier.host (the host cut out of every URL in SQL)
# and as they are (frontier.host through frontier_claimable), on the same
# throwaway database: ROWS queued rows over HOSTS hosts, a worker holding 2
# of them. Each statement runs REPS times under EXPLAIN ANALYZE in a
# transaction that is rolled back; prints the first plan's top nodes and the
# median execution time.
# Usage: bench/fleet_claim.sh [rows] [hosts] [reps]     (defaults 1000000 1000 5)
# The database lives on the tests' PostgreSQL server of build/
# (scripts/pg_test_server) and is dropped at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
rows="${1:-1000000}"
hosts="${2:-1000}"
reps="${3:-5}"
source bench/lib/common.sh
bench_build
server=$(scripts/pg_test_server start build | tail -n 1)
name="fleet_claim_$$"
at="${server%%@/*}@/"
db="$at$name?${server#*\?}"
psql -X -q "$server" -c "CREATE DATABASE $name"
trap 'psql -X -q "$server" -c "DROP DATABASE IF EXISTS $name WITH (FORCE)"; rm -rf "$work"' EXIT
# The schema, made by preheat itself (a crawl of a closed port).
"$preheat" crawl http://127.0.0.1:9/ --db "$db" --quiet --max-pages 1 >/dev/null 2>&1 || true
psql -X -q -v ON_ERROR_STOP=1 "$db" <<SQL
TRUNCATE urls, frontier, pages, host_leases, fleet_workers;
INSERT INTO urls (id, url) SELECT g, 'http://h' || (g % $hosts) || '.test/section-' || (g % 97) || '/page-' || g || '.html'
  FROM generate_series(1, $rows) g;
INSERT INTO frontier (url_id, state, depth, host) SELECT g, 0, (g::bigint * 7919) % 10, 'http://h' || (g % $hosts) || '.test'
  FROM generate_series(1, $rows) g;
INSERT INTO fleet_workers VALUES ('w', 2000000000000), ('v', 2000000000000), ('x', 2000000000000);
INSERT INTO host_leases VALUES ('http://h1.test', 'w', 2000000000000), ('http://h2.test', 'w', 2000000000000),
  ('http://h3.test', 'v', 2000000000000);
ANALYZE;
SQL

claimable="((f.state = 0 AND f.next_due_ms <= 1000000000000) OR (f.state = 1 AND (f.lease_until_ms IS NULL OR f.lease_until_ms < 1000000000000)))"
host_of() { echo "substring($1 from '^[^:]*://[^/?#]*')"; }
returning="UPDATE frontier f SET state = 1, claimed_by = 'w', lease_until_ms = 1000000030000 FROM c JOIN urls u ON u.id = c.url_id LEFT JOIN pages p ON p.url_id = c.url_id WHERE f.url_id = c.url_id RETURNING f.url_id, u.url"
claim_before="WITH c AS (SELECT f.url_id FROM frontier f JOIN urls u ON u.id = f.url_id WHERE $claimable AND $(host_of u.url) IN (SELECT host FROM host_leases WHERE worker = 'w') ORDER BY f.depth, f.url_id LIMIT 64 FOR UPDATE OF f SKIP LOCKED) $returning"
claim_after="WITH c AS (SELECT h.url_id FROM host_leases l CROSS JOIN LATERAL (SELECT f.url_id, f.depth FROM frontier f WHERE f.host = l.host AND f.state IN (0, 1) AND $claimable ORDER BY f.depth, f.url_id LIMIT 64 FOR UPDATE OF f SKIP LOCKED) h WHERE l.worker = 'w' ORDER BY h.depth, h.url_id LIMIT 64) $returning"
share="workers AS (SELECT greatest(count(*), 1) AS n FROM fleet_workers WHERE lease_until_ms >= 1000000000000), share AS (SELECT ((SELECT count(*) FROM host_leases WHERE lease_until_ms >= 1000000000000) + (SELECT count(*) FROM free) + workers.n - 1) / workers.n AS n FROM workers)"
insert="INSERT INTO host_leases (host, worker, lease_until_ms) SELECT h, 'w', 1000000030000 FROM free WHERE h IS NOT NULL AND (SELECT count(*) FROM host_leases WHERE worker = 'w' AND lease_until_ms >= 1000000000000) < (SELECT n FROM share) ORDER BY random() LIMIT 1 ON CONFLICT (host) DO UPDATE SET worker = excluded.worker, lease_until_ms = excluded.lease_until_ms WHERE host_leases.lease_until_ms < 1000000000000 RETURNING host"
acquire_before="WITH free AS (SELECT DISTINCT $(host_of u.url) AS h FROM frontier f JOIN urls u ON u.id = f.url_id WHERE $claimable AND NOT EXISTS (SELECT 1 FROM host_leases l WHERE l.host = $(host_of u.url) AND l.lease_until_ms >= 1000000000000)), $share $insert"
acquire_after="WITH RECURSIVE hosts(h) AS ((SELECT host FROM frontier WHERE state IN (0, 1) AND host IS NOT NULL ORDER BY host LIMIT 1) UNION ALL SELECT (SELECT host FROM frontier WHERE state IN (0, 1) AND host > hosts.h ORDER BY host LIMIT 1) FROM hosts WHERE hosts.h IS NOT NULL), free AS (SELECT h FROM hosts WHERE h IS NOT NULL AND NOT EXISTS (SELECT 1 FROM host_leases l WHERE l.host = hosts.h AND l.lease_until_ms >= 1000000000000) AND EXISTS (SELECT 1 FROM frontier f WHERE f.host = hosts.h AND f.state IN (0, 1) AND $claimable)), $share $insert"

measure() {  # NAME SQL
  local times=() plan
  for ((i = 0; i < reps; i++)); do
    plan=$(psql -X -q -At -v ON_ERROR_STOP=1 "$db" -c "BEGIN" -c "EXPLAIN (ANALYZE, COSTS OFF) $2" -c "ROLLBACK")
    times+=("$(grep -o 'Execution Time: [0-9.]*' <<<"$plan" | grep -o '[0-9.]*$')")
    if ((i == 0)); then
      echo "== $1: plan (nodes)"
      grep -oE '(Seq Scan|Index Scan|Index Only Scan|Bitmap Heap Scan|Bitmap Index Scan|Sort|Nested Loop|Hash Join|Merge Join|Limit|Recursive Union|HashAggregate|Unique)( using [a-z_]+)?( on [a-z_]+)?' <<<"$plan" | sort | uniq -c
    fi
  done
  echo "== $1: execution ms over $reps runs: ${times[*]}; median $(printf '%s\n' "${times[@]}" | sort -g | sed -n "$(((reps + 1) / 2))p")"
}
echo "frontier: $rows rows over $hosts hosts (PostgreSQL $(psql -X -At "$db" -c 'SHOW server_version'))"
measure "claim, before (host cut from the URL)" "$claim_before"
measure "claim, after (frontier.host)" "$claim_after"
measure "acquire a host, before" "$acquire_before"
measure "acquire a host, after" "$acquire_after"
