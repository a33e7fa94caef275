#!/bin/bash
#
# docker-entrypoint.sh: the entrypoint of the stand-in base image
# (base.Dockerfile beside this file), doing what the project's images need of
# the official postgres image's entrypoint.
#
# "postgres [OPTIONS]" (or only options): as root, make PGDATA the postgres
# user's and run again as postgres; as postgres, run initdb when PGDATA is
# empty (superuser POSTGRES_USER, default postgres, with the password
# POSTGRES_PASSWORD; host connections from anywhere authenticate with
# POSTGRES_HOST_AUTH_METHOD, default scram-sha-256), then start the server in
# the foreground, listening on every address unless told otherwise.  Any
# other command runs as it is (sentry-fixtures in an init container).
set -euo pipefail

[ "${1:0:1}" != - ] || set -- postgres "$@"
[ "$1" = postgres ] || exec "$@"

if [ "$(id -u)" = 0 ]; then
	install -d -o postgres -g postgres -m 700 "$PGDATA"
	exec setpriv --reuid=postgres --regid=postgres --init-groups "$0" "$@"
fi

if [ ! -s "$PGDATA/PG_VERSION" ]; then
	auth=${POSTGRES_HOST_AUTH_METHOD:-scram-sha-256}
	if [ -z "${POSTGRES_PASSWORD:-}" ] && [ "$auth" != trust ]; then
		echo "docker-entrypoint.sh: POSTGRES_PASSWORD is not set (or set POSTGRES_HOST_AUTH_METHOD=trust)" >&2
		exit 1
	fi
	initdb_args=(--username="${POSTGRES_USER:-postgres}" --auth-local=trust --auth-host="$auth" -D "$PGDATA")
	if [ -n "${POSTGRES_PASSWORD:-}" ]; then
		initdb "${initdb_args[@]}" --pwfile=<(printf '%s\n' "$POSTGRES_PASSWORD") >/dev/null
	else
		initdb "${initdb_args[@]}" >/dev/null
	fi
	printf 'host all all all %s\n' "$auth" >>"$PGDATA/pg_hba.conf"
	printf "listen_addresses = '*'\n" >>"$PGDATA/postgresql.conf"
	echo "docker-entrypoint.sh: initialised $PGDATA"
fi

exec "$@"
