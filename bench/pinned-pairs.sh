#!/usr/bin/env bash
# A database server and its client on separate machines, emulated on one: every PostgreSQL
# process on CPU 0, strata on CPU 1 (taskset). Alternating `build --full-refresh` runs of two
# checkouts of strata against one database; prints wall, strata's CPU and the run/export steps.
# PostgreSQL's CPU affinity is restored on exit. Needs root (or the postgres user) and 2+ CPUs.
#
#   bash bench/pinned-pairs.sh strata_bench_s9d_200000 /path/to/checkout-a /path/to/checkout-b [rounds]
set -euo pipefail
database=$1 a=$2 b=$3 rounds=${4:-3}
server=${STRATA_BENCH_SERVER:-postgres://postgres@127.0.0.1:5432}
restore() { for p in $(pgrep -u postgres); do taskset -a -p -c "0-$(($(nproc) - 1))" "$p" >/dev/null || true; done; }
trap restore EXIT
for p in $(pgrep -u postgres); do taskset -a -p -c 0 "$p" >/dev/null; done
project=$(mktemp -d)
for part in project.yaml models macros seeds tests migrations; do cp -r "$a/$part" "$project/"; done
for _ in $(seq "$rounds"); do
  for checkout in "$a" "$b"; do
    out=$(mktemp)
    /usr/bin/time -f '%e %U %S' -o "$out.time" env DATABASE_URL="$server/$database" taskset -c 1 \
      node "$checkout/bin/strata.mjs" --project-dir "$project" --json build --full-refresh > "$out" 2>/dev/null
    read -r wall user sys < "$out.time"
    steps=$(tail -1 "$out" | grep -o '"run":[0-9.]*\|"export":[0-9.]*' | tr '\n' ' ')
    echo "$checkout: ${wall}s wall, strata $(echo "$user + $sys" | bc) CPU s; $steps"
    rm -f "$out" "$out.time"
  done
done
rm -rf "$project"
