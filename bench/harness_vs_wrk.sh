#!/usr/bin/env bash
# Benchmark: tollgate against wrk (Debian), both loading nginx (Debian)
# serving a small JSON file on loopback, alternating, same connections and
# threads; then open-model accuracy at 200/s and 20,000/s; then the
# coordinated-omission check against a target that stalls 1 s every 5 s.
#   bench/harness_vs_wrk.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-10}"
ci/install-deps --bench
cmake -S . -B build-bench -G Ninja -DCMAKE_BUILD_TYPE=Release -DTOLLGATE_BUILD_TESTS=OFF >/dev/null
ninja -C build-bench tollgate stall_target >/dev/null

work="$(mktemp -d)"
chmod 755 "$work"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
free_port() { local p; while :; do p=$((20000 + RANDOM % 40000)); ss -ltn "sport = :$p" | grep -q ":$p" || { echo "$p"; return; }; done; }

mkdir -p "$work/www"
echo '{"object":"list","data":[{"id":"gpt-4-turbo","object":"model"}]}' >"$work/www/models.json"
nport="$(free_port)"
cat >"$work/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 4096; }
http { access_log off; keepalive_requests 100000000;
  server { listen 127.0.0.1:$nport; root $work/www; default_type application/json; } }
CONF
/usr/sbin/nginx -c "$work/nginx.conf" -e "$work/nginx-error.log" &
pids+=("$!")
url="http://127.0.0.1:$nport/models.json"
for _ in $(seq 50); do curl -fsS -o /dev/null "$url" 2>/dev/null && break; sleep 0.1; done

cpu_of() {  # CMD... -> "requests/s cpu_seconds" using the child's rusage
  /usr/bin/time -f "%U %S" -o "$work/time" "$@" >"$work/out" 2>&1 || true
  echo "$(awk '{print $1 + $2}' "$work/time")"
}

echo "== closed model, 64 connections, 1 thread each, ${secs}s, alternating"
for r in 1 2 3; do
  cpu=$(cpu_of wrk -t1 -c64 -d"${secs}s" "$url")
  w_rps=$(awk '/Requests\/sec/ {print $2}' "$work/out"); w_n=$(awk '/requests in/ {print $1}' "$work/out")
  printf 'round %d wrk      %10.0f req/s  %6.2f us CPU/request\n' "$r" "$w_rps" "$(echo "$cpu * 1000000 / $w_n" | bc -l)"
  cpu=$(cpu_of build-bench/bin/tollgate hit "$url" --vus 64 --connections 64 --duration "${secs}s" --threads 1 --quiet --out "$work/t")
  t_n=$(python3 -c "import json;print(json.load(open('$work/t/summary.json'))['totals']['requests'])" 2>/dev/null || jq .totals.requests "$work/t/summary.json")
  t_rps=$(echo "$t_n / $secs" | bc -l)
  printf 'round %d tollgate %10.0f req/s  %6.2f us CPU/request\n' "$r" "$t_rps" "$(echo "$cpu * 1000000 / $t_n" | bc -l)"
done

echo "== open model accuracy (30 s each)"
for rate in 200 20000; do
  build-bench/bin/tollgate hit "$url" --rate "$rate/s" --connections 64 --duration 30s --threads 1 --quiet --out "$work/o" >/dev/null || true
  python3 - "$work/o/summary.json" "$rate" <<'PY'
import json, sys
s = json.load(open(sys.argv[1])); step = s["scenarios"][0]["steps"][0]
print(f"target {sys.argv[2]}/s: achieved {step['rate']['achieved']:.2f}/s ({100*step['rate']['achieved']/float(sys.argv[2]):.3f}%), "
      f"late {step['late']}, missed {step['missed']}, p99 {step['latency_ms']['p99']} ms")
PY
done

echo "== coordinated omission: a target that stalls 1 s every 5 s, 1000/s over 64 connections for 10 s"
coproc STALL { exec build-bench/bin/stall_target 2>/dev/null; }
pids+=("$STALL_PID")
read -r line <&"${STALL[0]}"
stall="${line#listening on }"
build-bench/bin/tollgate hit "$stall/" --rate 1000/s --connections 64 --duration 10s --threads 1 --quiet --out "$work/co" >/dev/null || true
python3 - "$work/co/summary.json" <<'PY'
import json, sys
step = json.load(open(sys.argv[1]))["scenarios"][0]["steps"][0]
lat, svc = step["latency_ms"], step["service_time_ms"]
print(f"corrected latency (from intended time): p50 {lat['p50']} ms, p90 {lat['p90']} ms, p99 {lat['p99']} ms, max {lat['max']} ms")
print(f"service time (what a naive tool reports): p50 {svc['p50']} ms, p90 {svc['p90']} ms, p99 {svc['p99']} ms, max {svc['max']} ms")
print("truth: a fifth of the requests wait uniformly 0-1 s, so p90 = 500 ms and p99 = 950 ms")
PY
