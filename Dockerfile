# A PostgreSQL server image with sentry_fixtures built in, and the
# sentry-fixtures command on its PATH (/usr/lib/postgresql/$PG_MAJOR/bin).
#
#   docker build -t postgres-sentry-fixtures .
#
# The build stage compiles with the project's own Makefile (PGXS), as the
# Debian package does; the final stage is the official image plus the
# installed files and the one run-time library the image lacks (libyaml).
# Not exercised by the test suite: there is no container engine where the
# tests run.
ARG PG_MAJOR=15

FROM postgres:${PG_MAJOR}-bookworm AS build
ARG PG_MAJOR
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      gcc libc6-dev make pkg-config libssl-dev libyaml-dev \
      postgresql-server-dev-${PG_MAJOR} \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN make clean && make && make install DESTDIR=/out

FROM postgres:${PG_MAJOR}-bookworm
RUN apt-get update \
 && apt-get install -y --no-install-recommends libyaml-0-2 \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /out/ /
