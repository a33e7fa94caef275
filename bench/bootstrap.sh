#!/bin/bash
#
# bench/bootstrap.sh: how long sentry_schema_bootstrap() takes to load the
# Sentry 9.x dumps, next to psql -v ON_ERROR_STOP=1 -f on the same files.
#
# A benchmark, not a test.  Needs the extension installed (make install)
# and runs as a user that may run initdb (not root), for example
#   su postgres -c 'bench/bootstrap.sh'
# It starts a throwaway cluster, loads each dump RUNS times (default 5) each
# way into fresh databases, alternating which goes first, and prints the
# median wall-clock times (client start to finish) and their ratio.  It
# measures twice: with the server's default synchronous_commit = on, where
# psql -f pays a WAL flush for each statement it commits, and with
# synchronous_commit = off, where it does not.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
schemas=${SENTRY_SCHEMAS:-$here/../../shared/sentry-schemas}
schemas=$(cd "$schemas" && pwd)
runs=${RUNS:-5}
bindir=$(pg_config --bindir)

if [ "$(id -u)" -eq 0 ]; then
	echo "bench/bootstrap.sh: run as a user that may run initdb, not root" >&2
	exit 1
fi

tmp=$(mktemp -d /tmp/sentry_fixtures-bench.XXXXXX)
port=$((20000 + RANDOM % 20000))
stop_cluster() {
	"$bindir/pg_ctl" -D "$tmp/data" -m immediate stop >/dev/null 2>&1 || true
	rm -rf "$tmp"
}
trap stop_cluster EXIT

"$bindir/initdb" -D "$tmp/data" -A trust -U postgres >/dev/null
"$bindir/pg_ctl" -D "$tmp/data" -l "$tmp/log" -w \
	-o "-p $port -k $tmp -c listen_addresses=" start >/dev/null

run_psql() {
	"$bindir/psql" -X -q -h "$tmp" -p "$port" -U postgres -v ON_ERROR_STOP=1 "$@"
}

# Seconds (with fractions) that a command takes
seconds() {
	local start end
	start=$(date +%s.%N)
	"$@" >/dev/null
	end=$(date +%s.%N)
	echo "$end - $start" | bc
}

median() {
	sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

load_bootstrap() {
	run_psql -d "$1" -c "SELECT * FROM sentry_schema_bootstrap(pg_read_file('$2'))"
}

load_psql() {
	run_psql -d "$1" -o /dev/null -f "$2"
}

# One timed load into a fresh database (with the extension, as in both cases)
timed_load() {
	local how=$1 file=$2
	run_psql -d postgres -c "SET client_min_messages = warning" \
		-c "DROP DATABASE IF EXISTS bench" -c "CREATE DATABASE bench"
	run_psql -d bench -c "CREATE EXTENSION sentry_fixtures"
	seconds "load_$how" bench "$file"
}

run_psql -d postgres -c "CREATE ROLE sentry"

for commit_mode in on off; do
	run_psql -d postgres -c "ALTER SYSTEM SET synchronous_commit = $commit_mode" -c "SELECT pg_reload_conf()" >/dev/null
	echo "synchronous_commit = $commit_mode, $runs runs each, median seconds"
	printf '%-16s %10s %10s %8s\n' dump bootstrap "psql -f" ratio
	for name in sentry-9.0.sql sentry-9.1.sql; do
		file=$schemas/$name
		: >"$tmp/bootstrap.times"
		: >"$tmp/psql.times"
		for i in $(seq "$runs"); do
			if [ $((i % 2)) -eq 1 ]; then order="bootstrap psql"; else order="psql bootstrap"; fi
			for how in $order; do
				timed_load "$how" "$file" >>"$tmp/$how.times"
			done
		done
		b=$(median <"$tmp/bootstrap.times")
		p=$(median <"$tmp/psql.times")
		printf '%-16s %10.3f %10.3f %8.2f\n' "$name" "$b" "$p" "$(echo "$b / $p" | bc -l)"
	done
	echo
done
