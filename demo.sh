#!/bin/bash
#
# demo.sh: the main job on an embedded default (README, "Try it").
#
# Installs and builds like test.sh, then on a throwaway PostgreSQL cluster
# (pg_virtualenv, as the postgres user): bootstraps a Sentry schema (the
# real Sentry 9.0 dump from ../shared when it is there, else the test
# schema this repository ships), validates and applies example.yml, applies
# it again to show that nothing is left to do, and prints the DSNs.
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

cat >"$work/demo.sql" <<SQL
\\set ON_ERROR_STOP on
\\echo '== bootstrap the Sentry schema ($(basename "$schema"))'
CREATE EXTENSION sentry_fixtures;
SELECT * FROM sentry_schema_bootstrap(pg_read_file('$work/schema.sql'), no_owner => true);
\\echo '== validate example.yml (no rows: no problems)'
SELECT * FROM sentry_fixtures_validate(pg_read_file('$work/example.yml'));
\\echo '== apply example.yml'
SET sentry_fixtures.password_iterations = 1000;
SELECT * FROM sentry_fixtures_apply(pg_read_file('$work/example.yml'));
\\echo '== apply it again: nothing to do'
SELECT * FROM sentry_fixtures_apply(pg_read_file('$work/example.yml'));
\\echo '== the DSNs'
SELECT p.id, p.name,
       regexp_replace('$url_prefix', '://', '://' || k.public_key || ':' || k.secret_key || '@') || '/' || p.id AS dsn
FROM sentry_project p JOIN sentry_projectkey k ON k.project_id = p.id
WHERE k.status = 0 ORDER BY p.id, k.id;
SQL
chown postgres: "$work/demo.sql"

su postgres -s /bin/bash -c "cd '$work' && pg_virtualenv sh -c 'createdb sentry && psql -X -d sentry -f demo.sql'"
