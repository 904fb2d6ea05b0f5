#!/usr/bin/env bash
# Benchmark: tollgate probe against the mock, all on loopback. Probes each
# bundled contract with the demo credentials (--workers 8,
# --max-examples EXAMPLES) and reports cases sent, wall time and cases per
# second, then the five together.
#   bench/probe_speed.sh [EXAMPLES] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
examples="${1:-50}"
rounds="${2:-3}"

ci/install-deps --bench  # bc
cmake -S . -B build-bench -G Ninja -DCMAKE_BUILD_TYPE=Release -DTOLLGATE_BUILD_TESTS=OFF >/dev/null
ninja -C build-bench tollgate tollgate-mock >/dev/null
bin=build-bench/bin

out="$(mktemp)"
mock=""
cleanup() { [ -n "$mock" ] && kill "$mock" 2>/dev/null; rm -f "$out"; }
trap cleanup EXIT
# A fresh mock each round: the probes change its state (the System API's
# chains delete the demo account's first key, sk-demo, so it goes last).
fresh_mock() {
  [ -n "$mock" ] && { kill "$mock" 2>/dev/null || true; wait "$mock" 2>/dev/null || true; }
  : >"$out"
  "$bin/tollgate-mock" --listen 127.0.0.1:0 --threads 1 >"$out" 2>&1 &
  mock=$!
  for _ in $(seq 100); do grep -q listening "$out" && break; sleep 0.05; done
  url="$(sed -n 's/^.*listening on //p' "$out" | head -1)"
}

families=("aiproxy aiproxy sk-demo" "aimichat aimichat aimichat_demo" "apixo apixo apixo-demo"
          "aiapigiare-media aiapigiare sk-demo" "aiapigiare-system aiapigiare demo-access-key")
now() { date +%s.%N; }
for round in $(seq "$rounds"); do
  fresh_mock
  total_cases=0
  round_start=$(now)
  for f in "${families[@]}"; do
    read -r spec base key <<<"$f"
    start=$(now)
    line=$("$bin/tollgate" probe "spec/$spec.yaml" --target "$url/$base" -H "Authorization: Bearer $key" \
             --workers 8 --threads 1 --max-examples "$examples" --quiet | grep '^probe of' || true)
    secs=$(echo "$(now) - $start" | bc -l)
    cases=$(echo "$line" | sed -n 's/^probe of [^:]*: \([0-9]*\) cases.*/\1/p')
    total_cases=$((total_cases + cases))
    printf 'round %d  %-20s %5d cases in %6.3f s  %8.0f cases/s  (%s)\n' "$round" "$spec" "$cases" "$secs" \
      "$(echo "$cases / $secs" | bc -l)" "${line##*), }"
  done
  secs=$(echo "$(now) - $round_start" | bc -l)
  printf 'round %d  all five: %d cases in %.3f s (%.0f cases/s)\n' "$round" "$total_cases" "$secs" \
    "$(echo "$total_cases / $secs" | bc -l)"
done
