#!/bin/sh
# The command of a tollgate-segments pod: runs `tollgate "$@"` (the Job's
# args, a plain `tollgate run ... --segment I/N --out DIR` command line) and
# maps its exit code for the Job:
#   0, 1  the segment ran and wrote DIR/summary.json: the pod succeeds. A
#         segment judged alone may fail thresholds the whole run passes (or
#         the other way round); the verdict is tollgate-merge's, which
#         re-judges them on the merged run. (Failing the pod would also make
#         the Job, at backoffLimit 0, stop the segments still running.)
#   other the segment could not run (2 bad input, 3 could not run, killed):
#         the pod fails, and DIR/failed holds the exit code so that
#         tollgate-merge stops waiting for this segment and says so.
# SIGTERM and SIGINT (the pod deleted, the Job failed) are passed on to
# tollgate, which stops and writes what it has.
out=""
prev=""
for arg in "$@"; do
  case $arg in --out=*) out=${arg#--out=} ;; esac
  [ "$prev" = "--out" ] && out=$arg
  prev=$arg
done

child=""
signalled=""
trap 'signalled=1; [ -n "$child" ] && kill -TERM "$child" 2>/dev/null' TERM INT
tollgate "$@" &
child=$!
wait "$child"
rc=$?
# A trapped signal ends `wait` early (status > 128): wait again for
# tollgate's own exit code.
while [ -n "$signalled" ] && [ "$rc" -gt 128 ]; do
  signalled=""
  wait "$child"
  rc=$?
done

case $rc in
  0) ;;
  1)
    echo "tollgate-segment: this segment alone failed its thresholds; tollgate-merge judges the whole run" >&2
    rc=0
    ;;
  *)
    echo "tollgate-segment: tollgate exited with $rc" >&2
    if [ -n "$out" ]; then
      mkdir -p "$out" && echo "$rc" >"$out/failed"
    fi
    ;;
esac
exit "$rc"
