#!/usr/bin/env bash
# Benchmark: what checks cost the harness. One tollgate thread (core 0)
# loads GET /aiproxy/v1/models (a ~4 KB list) on tollgate-mock (core 1,
# bench/fixture-streams.yaml: an unlimited key) with 32 closed-model users,
# first with a status check only, then with contract: true plus body and
# header checks; alternating, ROUNDS times.
#   bench/checks_cost.sh [SECONDS] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-10}"
rounds="${2:-2}"
cmake -S . -B build-bench -G Ninja -DCMAKE_BUILD_TYPE=Release -DTOLLGATE_BUILD_TESTS=OFF >/dev/null
ninja -C build-bench tollgate tollgate-mock >/dev/null

work="$(mktemp -d)"
mock_pid=""
cleanup() { [ -n "$mock_pid" ] && kill "$mock_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
coproc MOCK { exec taskset -c 1 build-bench/bin/tollgate-mock --listen 127.0.0.1:0 --threads 1 \
  --fixture bench/fixture-streams.yaml 2>/dev/null; }
mock_pid=$MOCK_PID
read -r -t 10 first <&"${MOCK[0]}"
base="${first#listening on }"

scenario() {  # NAME EXPECT
  cat >"$work/$1.yaml" <<YAML
version: 1
target: $base/aiproxy
spec: $PWD/spec/aiproxy.yaml
defaults: {headers: {Authorization: "Bearer sk-bench"}}
scenarios:
  s:
    executor: constant-vus
    vus: 32
    duration: ${secs}s
    steps:
      - {operation: listModels, expect: $2}
YAML
}
scenario status "{status: 200}"
scenario checked "{status: 200, contract: true, headers: {Content-Type: {matches: '^application/json'}}, body: {/object: list, /data: {type: array, length: {min: 1}}}}"
printf '%-8s %12s %16s\n' checks "requests/s" "CPU us/request"
for _ in $(seq "$rounds"); do
  for kind in status checked; do
    out=$( { /usr/bin/time -f "cpu %U %S" taskset -c 0 build-bench/bin/tollgate run "$work/$kind.yaml" -q --threads 1; } 2>&1 )
    n=$(grep -E '^  listModels' <<<"$out" | awk '{print $2}')
    cpu=$(grep '^cpu' <<<"$out" | awk '{print $2 + $3}')
    failed=$(grep -E '^checks:' <<<"$out" | awk '{print $4}')
    [ "$failed" = "0" ] || { echo "checks failed during the benchmark:"; echo "$out" | tail -20; exit 1; }
    printf '%-8s %12.0f %16.1f\n' "$kind" "$(echo "$n / $secs" | bc -l)" "$(echo "$cpu * 1000000 / $n" | bc -l)"
  done
done
