#!/usr/bin/env bash
# Benchmark: what --state (SQLite, WAL, one transaction per change) costs
# the mock. tollgate (core 0, 32 closed-model users) sends billed chat
# completions (each one charge + consume log) to tollgate-mock (core 1, one
# worker thread), first in memory, then with --state on a file in a fresh
# temporary directory; alternating, ROUNDS times.
#   bench/state_cost.sh [SECONDS] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-10}"
rounds="${2:-2}"
cmake -S . -B build-bench -G Ninja -DCMAKE_BUILD_TYPE=Release -DTOLLGATE_BUILD_TESTS=OFF >/dev/null
ninja -C build-bench tollgate tollgate-mock >/dev/null

work="$(mktemp -d)"
mock_pid=""
stop_mock() { [ -n "$mock_pid" ] && kill "$mock_pid" 2>/dev/null && wait "$mock_pid" 2>/dev/null; mock_pid=""; }
trap 'stop_mock; rm -rf "$work"' EXIT

cat >"$work/s.yaml" <<YAML
version: 1
target: \${TARGET}/aiproxy
defaults: {headers: {Authorization: "Bearer sk-bench"}}
scenarios:
  s:
    executor: constant-vus
    vus: 32
    duration: ${secs}s
    steps:
      - method: POST
        path: /v1/chat/completions
        body: {model: gpt-4-turbo, max_tokens: 4, messages: [{role: user, content: bill me}]}
        expect: {status: 200}
YAML
printf '%-8s %12s %14s\n' state "requests/s" "file size"
for round in $(seq "$rounds"); do
  for kind in memory sqlite; do
    args=()
    [ "$kind" = sqlite ] && args=(--state "$work/state-$round.db")
    coproc MOCK { exec taskset -c 1 build-bench/bin/tollgate-mock --listen 127.0.0.1:0 --threads 1 \
      --fixture bench/fixture-streams.yaml "${args[@]}" 2>/dev/null; }
    mock_pid=$MOCK_PID
    read -r -t 10 first <&"${MOCK[0]}"
    out=$(taskset -c 0 build-bench/bin/tollgate run "$work/s.yaml" -q --threads 1 --env "TARGET=${first#listening on }")
    stop_mock
    n=$(grep -E '^  POST' <<<"$out" | awk '{print $3}')
    size="-"
    [ "$kind" = sqlite ] && size=$(du -sh "$work"/state-"$round".db* | awk '{s = s $1 " "} END {print s}')
    printf '%-8s %12.0f %14s\n' "$kind" "$(echo "$n / $secs" | bc -l)" "$size"
  done
done
