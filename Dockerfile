# A PostgreSQL server image with sentry_fixtures built in, and the
# sentry-fixtures command on its PATH (/usr/lib/postgresql/$PG_MAJOR/bin).
#
#   docker build -t postgres-sentry-fixtures .
#   docker build --build-arg PG_MAJOR=14 --build-arg BASE_IMAGE=postgres:14.11 \
#       -t postgres-sentry-fixtures:14 .
#
# BASE_IMAGE is the image both stages start from: by default the official
# postgres:$PG_MAJOR-bookworm (any Debian bookworm image of it, such as
# postgres:14.11, will do).  The build relies on what that image provides:
# apt sources with postgresql-server-dev-$PG_MAJOR, the server's binaries in
# /usr/lib/postgresql/$PG_MAJOR/bin, and its entrypoint and postgres user.
# The build stage compiles with the project's own Makefile (PGXS), as the
# Debian package does; the final stage is the base image plus the installed
# files and the one run-time library the image lacks (libyaml).
#
# t/container_init.sh builds this file with podman on a local stand-in for
# the official image (t/container/base.Dockerfile); the official image itself
# is not built from in the test suite (no registry is reached there).
ARG PG_MAJOR=15
ARG BASE_IMAGE=postgres:${PG_MAJOR}-bookworm

FROM ${BASE_IMAGE} AS build
ARG PG_MAJOR
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      gcc libc6-dev make pkg-config libssl-dev libyaml-dev \
      postgresql-server-dev-${PG_MAJOR} \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN make clean PG_CONFIG=/usr/lib/postgresql/${PG_MAJOR}/bin/pg_config \
 && make PG_CONFIG=/usr/lib/postgresql/${PG_MAJOR}/bin/pg_config \
 && make install PG_CONFIG=/usr/lib/postgresql/${PG_MAJOR}/bin/pg_config DESTDIR=/out

FROM ${BASE_IMAGE}
RUN apt-get update \
 && apt-get install -y --no-install-recommends libyaml-0-2 \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /out/ /
