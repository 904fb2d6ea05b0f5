#!/usr/bin/env bash
# Benchmark: this tree's tollgate-mock against the one of an earlier
# revision, side by side in one run: both built Release (the earlier one in
# a git worktree under build-bench/), each on one worker thread, wrk from
# Debian on loopback, alternating rounds so that both see the same machine.
#   bench/mock_before_after.sh REV [SECONDS_PER_RUN] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
rev="${1:?usage: bench/mock_before_after.sh REV [SECONDS] [ROUNDS]}"
secs="${2:-10}"
rounds="${3:-3}"
conns=64

ci/install-deps --bench
cmake -S . -B build-bench -G Ninja -DCMAKE_BUILD_TYPE=Release -DTOLLGATE_BUILD_TESTS=OFF >/dev/null
ninja -C build-bench tollgate-mock >/dev/null
before_tree="build-bench/before-$(git rev-parse --short "$rev")"
[ -d "$before_tree" ] || git worktree add -q --detach "$before_tree" "$rev"
cmake -S "$before_tree" -B "$before_tree/build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DTOLLGATE_BUILD_TESTS=OFF >/dev/null
ninja -C "$before_tree/build" tollgate-mock >/dev/null

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

start() {  # BINARY -> prints the mock's URL
  local out; out="$(mktemp)"
  "$1" --listen 127.0.0.1:0 --threads 1 --fixture bench/fixture-streams.yaml >"$out" 2>/dev/null &
  pids+=("$!")
  for _ in $(seq 100); do grep -q listening "$out" && break; sleep 0.05; done
  sed -n 's/^listening on //p' "$out" | head -1
}
before="$(start "$before_tree/build/bin/tollgate-mock")"
after="$(start build-bench/bin/tollgate-mock)"

rps() {  # URL [wrk args...]
  local url="$1"; shift
  wrk -t1 -c"$conns" -d"${secs}s" -H "Authorization: Bearer sk-bench" "$@" "$url" | awk '/Requests\/sec/ {print $2}'
}

echo "== requests/s, $rounds alternating rounds of ${secs}s, wrk -t1 -c$conns, one mock worker each"
echo "   before: $rev ($(git log -1 --format=%h "$rev")), after: the working tree ($(git log -1 --format=%h HEAD))"
declare -A sum
for case in models chat; do
  for r in $(seq "$rounds"); do
    for side in before after; do
      base="${!side}"
      if [ "$case" = models ]; then v="$(rps "$base/aiproxy/v1/models")"
      else v="$(rps "$base/aiproxy/v1/chat/completions" -s bench/post.lua)"; fi
      echo "$case round $r $side: $v"
      sum[$case$side]="$(echo "${sum[$case$side]:-0} + $v" | bc -l)"
    done
  done
  b="$(echo "${sum[${case}before]} / $rounds" | bc -l)"
  a="$(echo "${sum[${case}after]} / $rounds" | bc -l)"
  printf '%s: before %.0f, after %.0f req/s (%+.1f%%)\n' "$case" "$b" "$a" "$(echo "($a / $b - 1) * 100" | bc -l)"
done
