#!/usr/bin/env bash
# The Dockerfile, read offline (there is no Docker here to build it): its
# runtime stage installs the Debian package of every shared library the
# built tollgate and tollgate-mock load (ldd, then dpkg -S on this Debian 12
# machine), the builder is debian:12 and runs ci/install-deps and
# `cmake --install --prefix /opt/tollgate`, the runtime is debian:12-slim,
# runs as uid 10001 and starts tollgate.
# Usage: dockerfile_libraries.sh DOCKERFILE TOLLGATE TOLLGATE-MOCK
# Exit 77 (skipped) without ldd or dpkg.
set -euo pipefail
dockerfile=$1
shift
for tool in ldd dpkg; do
  command -v "$tool" >/dev/null || { echo "SKIP: $tool is missing (needs a Debian machine)"; exit 77; }
done

fail=0
problem() { echo "FAIL: $*"; fail=1; }

# The runtime stage: from its FROM to the end.
runtime=$(awk '/^FROM /{n++} n>=2' "$dockerfile")
builder=$(awk '/^FROM /{n++} n==1' "$dockerfile")
grep -qx 'FROM debian:12 AS builder' <<<"$builder" || problem "the builder stage is not FROM debian:12 AS builder"
grep -q 'ci/install-deps' <<<"$builder" || problem "the builder does not run ci/install-deps"
grep -q -- '-DTOLLGATE_BUILD_TESTS=OFF' <<<"$builder" || problem "the builder does not configure with -DTOLLGATE_BUILD_TESTS=OFF"
grep -q 'cmake --install build --prefix /opt/tollgate' <<<"$builder" || problem "the builder does not cmake --install to /opt/tollgate"
grep -qx 'FROM debian:12-slim' <<<"$runtime" || problem "the runtime stage is not FROM debian:12-slim"
grep -qx 'USER 10001:10001' <<<"$runtime" || problem "the runtime does not run as USER 10001:10001"
grep -qx 'ENTRYPOINT \["tollgate"\]' <<<"$runtime" || problem 'the runtime ENTRYPOINT is not ["tollgate"]'
grep -q 'COPY --from=builder /opt/tollgate /opt/tollgate' <<<"$runtime" || problem "the runtime does not copy /opt/tollgate from the builder"

# The packages of the runtime's apt-get install: the words after it, up to
# the end of that RUN's line continuations.
installed=$(sed -n '/apt-get install/,/^ *&& rm/p' <<<"$runtime" | tr -s ' \\\t' '\n' | grep -E '^[a-z0-9][a-z0-9.+-]+$' |
  grep -vxE 'apt-get|install|rm|DEBIAN_FRONTEND=noninteractive' | sort -u)
[ -n "$installed" ] || problem "no apt-get install list in the runtime stage"

# Every library the binaries load, by package; libc6 is in every image, a
# sanitizer's runtime only in a sanitizer build.
needed=$(ldd "$@" | awk '/=> \//{print $3}' | sort -u | while read -r lib; do
  dpkg -S "$(readlink -f "$lib")" 2>/dev/null || dpkg -S "$lib"
done | cut -d: -f1 | sort -u | grep -vxE 'libc6|libasan[0-9]*|libubsan[0-9]*|liblsan[0-9]*|libtsan[0-9]*')
[ -n "$needed" ] || problem "ldd found no library package for $*"
for pkg in $needed; do
  grep -qx "$pkg" <<<"$installed" || problem "the binaries need $pkg (ldd), the runtime stage does not install it"
done
echo "needed (ldd + dpkg -S): $(tr '\n' ' ' <<<"$needed")"
echo "installed by the runtime stage: $(tr '\n' ' ' <<<"$installed")"

# The .dockerignore keeps the build trees and node_modules out of the
# context, and not the sources.
ignore=$(dirname "$dockerfile")/.dockerignore
for pattern in /build\* /node_modules .git; do
  grep -qxF "$pattern" "$ignore" || problem ".dockerignore does not leave out $pattern"
done
exit $fail
