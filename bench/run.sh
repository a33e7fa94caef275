#!/bin/bash
#
# bench/run.sh: the reconciler's benchmark (README, "Performance").
#
# Run as root from the top of a clone on which ./setup.sh has run:
#   bench/run.sh            100, 1,000 and 10,000 projects, 5 runs each
#   bench/run.sh --smoke    100 projects, one run (what the test suite runs)
#   bench/run.sh --corpus   time and memory of each malformed or hostile
#                           fixture of t/010_corpus.pl (bench/corpus.py)
#   bench/run.sh --cascade  deleting a project with 1,000,000 dependent rows,
#                           cascade against DELETE ... USING (bench/cascade.py;
#                           needs sentry-9.1.sql and sentry-current-full.sql)
#   bench/run.sh --current  1,000 and 10,000 projects on current Sentry
#                           (sentry-current-full.sql, bench/current.py)
# Other options go to bench/bench.py (--runs N, --sizes A,B,..., --verbose).
#
# It builds the extension and installs it into a private directory (the
# machine-wide install, which test runs replace, stays untouched), starts a
# throwaway cluster with PostgreSQL's default durability (fsync and
# synchronous_commit on) that loads the extension from there, and runs
# bench/bench.py as the postgres user against it.  The databases start
# from the real Sentry 9.0 dump in $SENTRY_SCHEMAS or ../shared/sentry-schemas,
# else from the test schema t/sentry9_test_schema.sql.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

if [ "$(id -u)" -ne 0 ]; then
	echo "bench/run.sh: run as root (it runs the cluster as the postgres user)" >&2
	exit 1
fi

schema=${SENTRY_SCHEMAS:-$top/../shared/sentry-schemas}/sentry-9.0.sql
[ "${1:-}" = --current ] && schema=${SENTRY_SCHEMAS:-$top/../shared/sentry-schemas}/sentry-current-full.sql
[ -f "$schema" ] || [ "${1:-}" = --current ] || schema=$top/t/sentry9_test_schema.sql
if [ ! -f "$schema" ]; then
	echo "bench/run.sh: no Sentry 9.0 dump (set SENTRY_SCHEMAS) and no $schema" >&2
	exit 1
fi

bindir=$(pg_config --bindir)
tmp=$(mktemp -d /tmp/sentry_fixtures-bench.XXXXXX)
port=$((20000 + RANDOM % 20000))
as_postgres() {
	su postgres -s /bin/bash -c "$1"
}
stop_cluster() {
	as_postgres "'$bindir/pg_ctl' -D '$tmp/data' -m immediate stop" >/dev/null 2>&1 || true
	rm -rf "$tmp"
}
trap stop_cluster EXIT

make -s
make -s install DESTDIR="$tmp/inst" >/dev/null
cp "$schema" "$tmp/schema.sql"
cp bench/bench.py bench/current.py bench/corpus.py bench/cascade.py t/HostileFixtures.pm "$tmp/"
cp -r t/corpus "$tmp/corpus"
mkdir "$tmp/cases"
chown -R postgres: "$tmp"

as_postgres "'$bindir/initdb' -D '$tmp/data' -A trust -U postgres" >/dev/null
echo "extension_destdir = '$tmp/inst'" >>"$tmp/data/postgresql.conf"
as_postgres "'$bindir/pg_ctl' -D '$tmp/data' -l '$tmp/log' -w -o '-p $port -k $tmp -c listen_addresses=' start" >/dev/null

echo "server: PostgreSQL $("$bindir/postgres" --version | awk '{ print $3 }'), fsync = on, synchronous_commit = on;" \
	"schema: $(basename "$schema"); $(nproc) CPUs"
# bench.py and corpus.py exit 1 when a target is missed: keep their output
# and status
if [ "${1:-}" = --cascade ]; then
	schemas=$(dirname "$schema")
	cp "$schemas/sentry-9.1.sql" "$schemas/sentry-current-full.sql" "$tmp/"
	chown postgres: "$tmp"/*.sql
	shift
	quoted_args=""
	[ $# -gt 0 ] && quoted_args=$(printf " %q" "$@")
	as_postgres "cd '$tmp' && /usr/bin/python3 cascade.py --host '$tmp' --port $port --schema9 '$tmp/sentry-9.1.sql' --schema-current '$tmp/sentry-current-full.sql'$quoted_args"
	exit
fi
if [ "${1:-}" = --corpus ]; then
	as_postgres "cd '$tmp' && /usr/bin/python3 corpus.py --host '$tmp' --port $port --schema '$tmp/schema.sql' --tdir '$tmp' --workdir '$tmp/cases'"
	exit
fi
if [ "${1:-}" = --current ]; then
	shift
	quoted_args=""
	[ $# -gt 0 ] && quoted_args=$(printf " %q" "$@")
	as_postgres "cd '$tmp' && PATH='$bindir':\$PATH /usr/bin/python3 current.py --host '$tmp' --port $port --schema '$tmp/schema.sql'$quoted_args"
	exit
fi
quoted_args=""
[ $# -gt 0 ] && quoted_args=$(printf " %q" "$@")
as_postgres "cd '$tmp' && /usr/bin/python3 bench.py --host '$tmp' --port $port --schema '$tmp/schema.sql'$quoted_args"
