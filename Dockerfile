# syntax=docker/dockerfile:1
# The tollgate image: tollgate and tollgate-mock with their data (contracts,
# bundled scenarios, the mock's fixture) in /opt/tollgate, on Debian 12 slim
# with only the libraries they link, run as uid 10001.
#
#   docker build -t registry.example.com/tollgate:0.1.0 .
#   docker run --rm registry.example.com/tollgate:0.1.0 validate /opt/tollgate/share/tollgate/scenarios/examples/flow.yaml
#   docker run --rm --entrypoint tollgate-mock -p 8080:8080 registry.example.com/tollgate:0.1.0 --listen 0.0.0.0:8080
#
# deploy/kubernetes/ runs it as an Indexed Job (README: Running on Kubernetes).

FROM debian:12 AS builder
WORKDIR /src
# The toolchain and libraries first, in a layer of their own that only a
# change of the package lists rebuilds (`--build`: only what a Release build
# without the tests needs; no test tools, no npm).
COPY ci/install-deps ci/install-deps
RUN ci/install-deps --build
COPY . .
RUN cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DTOLLGATE_BUILD_TESTS=OFF \
 && ninja -C build \
 && cmake --install build --prefix /opt/tollgate

FROM debian:12-slim
# What `ldd tollgate tollgate-mock` lists (Debian 12 package names), and the
# CA certificates for https targets.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      ca-certificates \
      libgcc-s1 \
      libmimalloc2.0 \
      libsqlite3-0 \
      libssl3 \
      libstdc++6 \
      libwebp7 \
      libyaml-cpp0.7 \
      zlib1g \
 && rm -rf /var/lib/apt/lists/*
COPY --from=builder /opt/tollgate /opt/tollgate
# Fails the build when a library is missing from the list above.
RUN ! ldd /opt/tollgate/bin/tollgate /opt/tollgate/bin/tollgate-mock | grep 'not found' \
 && /opt/tollgate/bin/tollgate version \
 && /opt/tollgate/bin/tollgate-mock --help >/dev/null
RUN groupadd --system --gid 10001 tollgate \
 && useradd --system --uid 10001 --gid tollgate --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin tollgate
# The data directory is found from the binaries' own (../share/tollgate);
# named here too so that scenarios can write ${TOLLGATE_DATA_DIR}/spec/...
ENV PATH=/opt/tollgate/bin:$PATH \
    TOLLGATE_DATA_DIR=/opt/tollgate/share/tollgate
# Numeric, so that Kubernetes' runAsNonRoot can check it.
USER 10001:10001
WORKDIR /tmp
# tollgate-mock: --entrypoint tollgate-mock (Kubernetes: command).
EXPOSE 8080 9464
ENTRYPOINT ["tollgate"]
CMD ["--help"]
