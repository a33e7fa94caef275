#!/bin/bash
#
# demo.sh: the main job on an embedded default (README, "Try it").
#
# Installs and builds like test.sh, then on a throwaway PostgreSQL cluster
# (pg_virtualenv, as the postgres user) runs "sentry-fixtures init": creates
# the database and the extension, bootstraps a Sentry schema (the real
# Sentry 9.0 dump from ../shared when it is there, else the test schema this
# repository ships), applies example.yml and prints the report; runs it
# again to show that nothing is left to do, and prints the DSNs.
set -euo pipefail

top=$(cd "$(dirname "$0")" && pwd)
cd "$top"

exec 9>/tmp/sentry_fixtures-test.lock
flock 9
./setup.sh

schema=${SENTRY_SCHEMAS:-$top/../shared/sentry-schemas}/sentry-9.0.sql
[ -f "$schema" ] || schema=$top/t/sentry9_test_schema.sql

work=$(mktemp -d /tmp/sentry_fixtures-demo.XXXXXX)
trap 'rm -rf "$work"' EXIT
cp "$schema" "$work/schema.sql"
cp example.yml "$work/example.yml"
chown -R postgres: "$work"

url_prefix=$(sed -n 's/^url_prefix: *//p' example.yml)

cli=$(pg_config --bindir)/sentry-fixtures

# What runs on the throwaway cluster (pg_virtualenv sets PGHOST, PGPORT,
# PGUSER and PGPASSWORD): the command an init container would run, twice
cat >"$work/demo-run.sh" <<SH
set -e
export PGDATABASE=sentry
echo '== sentry-fixtures init: database, extension, schema ($(basename "$schema")), example.yml'
'$cli' init --schema schema.sql --no-owner --fixtures example.yml
echo
echo '== sentry-fixtures init again: nothing to do'
'$cli' init --schema schema.sql --no-owner --fixtures example.yml
echo
echo '== the DSNs'
psql -X -v ON_ERROR_STOP=1 -f dsns.sql
SH

cat >"$work/dsns.sql" <<SQL
SELECT p.id, p.name,
       regexp_replace('$url_prefix', '://', '://' || k.public_key || ':' || k.secret_key || '@') || '/' || p.id AS dsn
FROM sentry_project p JOIN sentry_projectkey k ON k.project_id = p.id
WHERE k.status = 0 ORDER BY p.id, k.id;
SQL
chown postgres: "$work/demo-run.sh" "$work/dsns.sql"

su postgres -s /bin/bash -c "cd '$work' && pg_virtualenv bash demo-run.sh"
