#!/bin/sh
# The command of the tollgate-merge pod: waits until each of the SEGMENTS
# segments of the run has written RESULTS/segment-I/summary.json (I = 0 ..
# SEGMENTS-1), at most MERGE_TIMEOUT seconds, then runs
#   tollgate merge RESULTS/segment-0/summary.json ... --out RESULTS/merged
# and exits with its exit code (0 pass, 1 thresholds failed, 2 a segment
# missing, duplicated or of another run).
# It exits 3 without merging when the wait times out (naming the summaries
# still missing) or when a segment could not run (its segment-I/failed,
# written by segment.sh, holds tollgate's exit code).
#
# From the environment: SEGMENTS; RUN (RESULTS defaults to /results/RUN);
# MERGE_TIMEOUT (seconds, default 1800); MERGE_POLL (seconds, default 5).
set -u
segments=${SEGMENTS:-}
case $segments in
  '' | *[!0-9]* | 0)
    echo "tollgate-merge: SEGMENTS must be a whole number >= 1 (is '$segments')" >&2
    exit 2
    ;;
esac
results=${RESULTS:-/results/${RUN:?tollgate-merge: RUN is not set}}
timeout=${MERGE_TIMEOUT:-1800}
poll=${MERGE_POLL:-5}
deadline=$(($(date +%s) + timeout))

echo "tollgate-merge: waiting up to ${timeout}s for $segments segment summaries in $results"
while :; do
  missing=""
  failed=""
  i=0
  while [ "$i" -lt "$segments" ]; do
    dir=$results/segment-$i
    if [ -f "$dir/failed" ]; then
      failed="$failed segment-$i (tollgate exited $(cat "$dir/failed"))"
    elif [ ! -f "$dir/summary.json" ]; then
      missing="$missing $dir/summary.json"
    fi
    i=$((i + 1))
  done
  if [ -n "$failed" ]; then
    echo "tollgate-merge: not merging, a segment could not run:$failed (see its pod's log)" >&2
    exit 3
  fi
  [ -z "$missing" ] && break
  if [ "$(date +%s)" -ge "$deadline" ]; then
    echo "tollgate-merge: gave up after ${timeout}s; still missing:$missing" >&2
    exit 3
  fi
  sleep "$poll"
done

set --
i=0
while [ "$i" -lt "$segments" ]; do
  set -- "$@" "$results/segment-$i/summary.json"
  i=$((i + 1))
done
echo "tollgate-merge: tollgate merge $* --out $results/merged"
exec tollgate merge "$@" --out "$results/merged"
