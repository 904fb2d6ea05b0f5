#!/usr/bin/env bash
# Benchmark: how many concurrent streams tollgate holds, and what it costs:
# N virtual users each hold one streamed chat against the mock (a model with
# a 500 ms TTFT and 25 ms between tokens, 300 tokens: ~8 s a stream), all
# on loopback. Prints tollgate's peak resident memory (and per stream) and
# the ITL it measured against the mock's configured 25 ms.
#   bench/harness_streams.sh [N...]     (default: 200 2000 10000)
set -euo pipefail
cd "$(dirname "$0")/.."
counts=("$@")
[ ${#counts[@]} -gt 0 ] || counts=(200 2000 10000)

ci/install-deps --bench
cmake -S . -B build-bench -G Ninja -DCMAKE_BUILD_TYPE=Release -DTOLLGATE_BUILD_TESTS=OFF >/dev/null
ninja -C build-bench tollgate tollgate-mock >/dev/null

work="$(mktemp -d)"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

coproc MOCK { exec build-bench/bin/tollgate-mock --listen 127.0.0.1:0 --fixture bench/fixture-streams.yaml 2>"$work/mock.log"; }
pids+=("$MOCK_PID")
read -r line <&"${MOCK[0]}"
mock="${line#listening on }"

printf '%8s %12s %14s %10s %10s %10s %8s\n' streams "peak RSS" "per stream" "ITL p50" "ITL p99" "TTFT p99" "[DONE]"
for n in "${counts[@]}"; do
  cat >"$work/s.yaml" <<YAML
version: 1
target: $mock/aiproxy
defaults: {headers: {Authorization: Bearer sk-bench}, timeouts: {total: 60s}}
scenarios:
  hold:
    executor: constant-vus
    vus: $n
    iterations: $n
    duration: 40s
    connections: $n
    steps:
      - name: stream
        method: POST
        path: /v1/chat/completions
        body: {model: itl-25, messages: [{role: user, content: hold}], max_tokens: 300, stream: true}
YAML
  /usr/bin/time -f '%M' -o "$work/rss" build-bench/bin/tollgate run "$work/s.yaml" --quiet --out "$work/out" >"$work/run.log" 2>&1 || true
  python3 - "$work/out/summary.json" "$(cat "$work/rss")" "$n" <<'PY'
import json, sys
s = json.load(open(sys.argv[1])); rss_kb = int(sys.argv[2]); n = int(sys.argv[3])
st = s["scenarios"][0]["steps"][0]; m = st.get("stream", {})
done = st["status"].get("200", 0) - st["error_count"]
print("%8d %9.1f MiB %11.1f KiB %7.2f ms %7.2f ms %7.1f ms %8d" % (n, rss_kb / 1024, rss_kb / n,
      m.get("itl_ms", {}).get("p50", 0), m.get("itl_ms", {}).get("p99", 0), m.get("ttft_ms", {}).get("p99", 0), done))
PY
done
