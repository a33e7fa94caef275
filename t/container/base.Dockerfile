# t/container/base.Dockerfile: a local stand-in for the official
# postgres:<major>-bookworm image, which the test suite cannot pull (no
# registry is reached there).  It is built by t/container_init.sh from a
# debootstrap'ed Debian 12 image and gives the project's Dockerfile what it
# relies on in the official image:
#   - Debian's PostgreSQL server and client of PG_MAJOR, binaries in
#     /usr/lib/postgresql/$PG_MAJOR/bin, on PATH;
#   - no cluster made by the package (the entrypoint makes one);
#   - the postgres user, PGDATA=/var/lib/postgresql/data, /var/run/postgresql;
#   - an entrypoint (docker-entrypoint.sh beside this file) that initialises
#     PGDATA from POSTGRES_PASSWORD (or POSTGRES_HOST_AUTH_METHOD=trust) and
#     starts the server when the command is "postgres" or an option, and runs
#     any other command as it is.
# It is not the official image: its initdb.d scripts, POSTGRES_DB,
# POSTGRES_INITDB_ARGS and locale setup are not reproduced.
ARG DEBIAN_IMAGE=localhost/debian-bookworm-min
FROM ${DEBIAN_IMAGE}
ARG PG_MAJOR=15
ENV PG_MAJOR=${PG_MAJOR}
ENV PATH=$PATH:/usr/lib/postgresql/${PG_MAJOR}/bin
ENV PGDATA=/var/lib/postgresql/data
ENV LANG=C.UTF-8
# dpkg without fsync: a throwaway test image, built twice a run; apt
# retries a download that fails (this image and the project's, built on it,
# are the test run's only downloads once the caches exist)
RUN echo force-unsafe-io >/etc/dpkg/dpkg.cfg.d/unsafe-io \
 && echo 'Acquire::Retries "5";' >/etc/apt/apt.conf.d/80retries \
 && apt-get update \
 && apt-get install -y --no-install-recommends postgresql-common \
 && sed -ri 's/#(create_main_cluster) .*$/\1 = false/' /etc/postgresql-common/createcluster.conf \
 && apt-get install -y --no-install-recommends postgresql-${PG_MAJOR} postgresql-client-${PG_MAJOR} \
 && rm -rf /var/lib/apt/lists/* \
 && install -d -o postgres -g postgres -m 3777 /var/run/postgresql \
 && install -d -o postgres -g postgres -m 700 "$PGDATA"
COPY docker-entrypoint.sh /usr/local/bin/
VOLUME /var/lib/postgresql/data
STOPSIGNAL SIGINT
EXPOSE 5432
ENTRYPOINT ["docker-entrypoint.sh"]
CMD ["postgres"]
