#!/usr/bin/env bash
# Benchmark: tollgate-mock against nginx serving the same bytes as static
# files, wrk from Debian as the load generator, all on loopback, alternating
# rounds in one run. Then 10,000 concurrent streaming chats held open against
# the mock, with its peak resident memory.
#   bench/mock_vs_nginx.sh [SECONDS_PER_RUN] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-10}"
rounds="${2:-3}"
threads=1      # server workers, each side
conns=64
streams=10000

ci/install-deps --bench
cmake -S . -B build-bench -G Ninja -DCMAKE_BUILD_TYPE=Release -DTOLLGATE_BUILD_TESTS=OFF >/dev/null
ninja -C build-bench tollgate-mock stream_hold >/dev/null

work="$(mktemp -d)"
chmod 755 "$work"  # nginx workers run as an unprivileged user
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

free_port() {  # a loopback port nobody listens on
  local p
  while :; do
    p=$((20000 + RANDOM % 40000))
    ss -ltn "sport = :$p" | grep -q ":$p" || { echo "$p"; return; }
  done
}

# The mock.
coproc MOCK { exec build-bench/bin/tollgate-mock --listen 127.0.0.1:0 --threads "$threads" \
  --fixture bench/fixture-streams.yaml 2>"$work/mock.log"; }
pids+=("$MOCK_PID")
read -r line <&"${MOCK[0]}"
mock="${line#listening on }"
mock_pid=$MOCK_PID

# The same bytes as static files for nginx.
mkdir -p "$work/www"
curl -fsS "$mock/aiproxy/v1/models" -H "Authorization: Bearer sk-bench" -o "$work/www/models.json"
curl -fsS "$mock/aiproxy/v1/chat/completions" -H "Authorization: Bearer sk-bench" \
  -d '{"model":"gpt-4-turbo","messages":[{"role":"user","content":"What is machine learning?"}]}' -o "$work/www/chat.json"
nport="$(free_port)"
cat >"$work/nginx.conf" <<CONF
worker_processes $threads;
daemon off;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 20000; }
http {
  access_log off;
  keepalive_requests 100000000;
  server {
    listen 127.0.0.1:$nport;
    root $work/www;
    default_type application/json;
    location = /aiproxy/v1/models { try_files /models.json =404; }
    location = /aiproxy/v1/chat/completions { error_page 405 =200 /chat.json; try_files /chat.json =404; }
  }
}
CONF
/usr/sbin/nginx -c "$work/nginx.conf" -e "$work/nginx-error.log" &
pids+=("$!")
for _ in $(seq 50); do curl -fsS -o /dev/null "http://127.0.0.1:$nport/aiproxy/v1/models" 2>/dev/null && break; sleep 0.1; done
nginx="http://127.0.0.1:$nport"
cmp <(curl -fsS "$nginx/aiproxy/v1/models") "$work/www/models.json"

rps() {  # URL [wrk args...]
  local url="$1"; shift
  wrk -t1 -c"$conns" -d"${secs}s" -H "Authorization: Bearer sk-bench" "$@" "$url" | awk '/Requests\/sec/ {print $2}'
}

echo "== requests/s, $rounds alternating rounds of ${secs}s, wrk -t1 -c$conns, one server worker each"
declare -A sum
for r in $(seq "$rounds"); do
  for case in models chat; do
    if [ "$case" = models ]; then args=(); path=/aiproxy/v1/models; else args=(-s bench/post.lua); path=/aiproxy/v1/chat/completions; fi
    n=$(rps "$nginx$path" "${args[@]}")
    m=$(rps "$mock$path" "${args[@]}")
    printf 'round %d %-7s nginx %10.0f  mock %10.0f  ratio %.2f\n' "$r" "$case" "$n" "$m" "$(echo "$m / $n" | bc -l)"
    sum[$case-nginx]=$(echo "${sum[$case-nginx]:-0} + $n" | bc -l)
    sum[$case-mock]=$(echo "${sum[$case-mock]:-0} + $m" | bc -l)
  done
done
for case in models chat; do
  printf 'mean    %-7s nginx %10.0f  mock %10.0f  ratio %.2f\n' "$case" \
    "$(echo "${sum[$case-nginx]} / $rounds" | bc -l)" "$(echo "${sum[$case-mock]} / $rounds" | bc -l)" \
    "$(echo "${sum[$case-mock]} / ${sum[$case-nginx]}" | bc -l)"
done

echo "== $streams concurrent streaming chats held open (each ~8 s: 4 s to the first token, then 100 ms per token)"
rss_before=$(awk '/VmRSS/ {print $2}' "/proc/$mock_pid/status")
port="${mock##*:}"
build-bench/bin/stream_hold "$port" "$streams" /aiproxy/v1/chat/completions sk-bench slow-stream 120
peak=$(awk '/VmHWM/ {print $2}' "/proc/$mock_pid/status")
echo "mock resident memory: before ${rss_before} KiB, peak ${peak} KiB ($((peak / 1024)) MiB)"
