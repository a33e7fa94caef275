#!/bin/bash
#
# t/container_init.sh: the init container, run in a real container engine.
#
# Run by test.sh as root (or by hand: sudo t/container_init.sh).  With
# Debian's podman (runtime runc, host network only: no container bridge, the
# server on a free loopback port) it asserts:
#   - the Dockerfile builds, with BASE_IMAGE set to a local stand-in for the
#     official postgres image (t/container/base.Dockerfile, built from a
#     debootstrap'ed Debian 12);
#   - the init flow as docker-compose runs it: a server container of the
#     image, then "sentry-fixtures init" in a second container of the image
#     creates the database, bootstraps the Sentry 9.1 schema, applies
#     example.yml and prints the report; a second run exits 0 with nothing
#     to do; a fixture with a rule-5 skip exits 2; a wrong password exits 1;
#     the server's log (log_statement = 'all') holds statements but no
#     secret key or password;
#   - docs/init-container.md's docker-compose file runs with podman-compose
#     (with t/container/compose.host-network.yml for the host network),
#     reaches the same state, and its server logs no secret either; its
#     Kubernetes example is valid YAML with the same command line;
#   - docs/self-hosted/docker-compose.override.yml parses (merged with a file
#     of self-hosted's shape by podman-compose), runs the same command, and
#     makes web wait for the init container;
#   - nothing is left behind: podman keeps its containers, images and
#     volumes in a private storage directory, removed (and unmounted) at the
#     end, also on failure.
# Prints TAP ("ok N - ...") and exits non-zero on any failure.
#
# Cache: the debootstrap'ed base is kept as a tarball in
# $SENTRY_FIXTURES_CACHE (default /var/cache/sentry-fixtures), refreshed
# when older than 30 days; delete it to rebuild.  A run without it makes it
# (debootstrap, about a minute).
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
schemas=${SENTRY_SCHEMAS:-$top/../shared/sentry-schemas}
cache=${SENTRY_FIXTURES_CACHE:-/var/cache/sentry-fixtures}
base_tarball=$cache/debian-bookworm-minbase.tar
pg_major=15
tests=0
failures=0
# Debian's python3, which has the yaml module (podman-compose needs it)
python=/usr/bin/python3

# The command line every example runs; the test runs it too.
init_command=(sentry-fixtures init --fixtures /fixtures/fixtures.yml
	--schema /schema/schema.sql --no-owner --wait 120)

if [ ! -f "$schemas/sentry-9.1.sql" ]; then
	if [ "${CI:-}" = true ]; then
		echo "not ok 1 - the Sentry 9.1 dump is in $schemas"
		exit 1
	fi
	echo "1..0 # SKIP no Sentry dumps in $schemas (set SENTRY_SCHEMAS)"
	exit 0
fi

# check() and copy_tree()
. "$top/t/shell_tap.sh"

packages=(podman runc podman-compose debootstrap)
missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "# installing: ${missing[*]}"
	if ! { apt-get -o DPkg::Lock::Timeout=600 update -qq &&
		DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq "${missing[@]}" >/dev/null; }; then
		echo "not ok 1 - install ${missing[*]}"
		exit 1
	fi
fi

work=$(mktemp -d /tmp/sentry_fixtures-container.XXXXXX)
chmod 755 "$work"
storage=$work/storage

# podman on the private storage, with the flags this machine needs: runc
# (crun fails on its hybrid cgroups) and ulimits it can set.
pod() {
	podman --root "$storage" --runroot "$work/run" --runtime runc "$@"
}
run_flags=(--network host --ulimit nofile=1024:1024 --ulimit nproc=1024:1024)

# Remove every container, volume and image of the private storage.
remove_podman_objects() {
	[ -d "$storage" ] || return 0
	pod rm -af -t 0 && pod volume rm -af && pod rmi -af
}
# Unmount whatever is still mounted under $work (podman's storage).
unmount_work() {
	grep -oE " $work/[^ ]*" /proc/mounts | sort -r | xargs -r -n1 umount -l
}
trap 'remove_podman_objects >/dev/null 2>&1; unmount_work; rm -rf "$work"' EXIT
trap 'exit 1' INT TERM

# A free port on 127.0.0.1 for the server (the host network is shared).
free_port() {
	$python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# The debootstrap'ed base image, from the cache or made afresh.
import_debian() {
	if [ ! -s "$base_tarball" ] || [ -n "$(find "$base_tarball" -mtime +30)" ]; then
		mkdir -p "$cache" &&
			debootstrap --variant=minbase bookworm "$work/rootfs" &&
			# the host's Debian sources (security updates too), when it has them
			if [ -f /etc/apt/sources.list.d/debian.sources ]; then
				cp /etc/apt/sources.list.d/debian.sources "$work/rootfs/etc/apt/sources.list.d/" &&
					rm -f "$work/rootfs/etc/apt/sources.list"
			fi &&
			tar -C "$work/rootfs" -cf "$base_tarball.tmp" . &&
			mv "$base_tarball.tmp" "$base_tarball" &&
			rm -rf "$work/rootfs" || return 1
	fi
	pod import - localhost/debian-bookworm-min <"$base_tarball"
}
check "a Debian 12 base image is imported into podman" import_debian

build_flags=(--runtime runc "${run_flags[@]}")
check "the stand-in for the official postgres image builds (t/container/base.Dockerfile)" \
	pod build "${build_flags[@]}" --build-arg PG_MAJOR=$pg_major \
	-f "$top/t/container/base.Dockerfile" -t localhost/postgres-standin:$pg_major "$top/t/container"

# The image is built from the files git tracks (and new ones not ignored).
copy_tree "$work/src"
image=localhost/postgres-sentry-fixtures
check "the Dockerfile builds on it (BASE_IMAGE build argument)" \
	pod build "${build_flags[@]}" --build-arg PG_MAJOR=$pg_major \
	--build-arg BASE_IMAGE=localhost/postgres-standin:$pg_major -t $image "$work/src"

image_has_the_extension() {
	pod run --rm "${run_flags[@]}" $image bash -c "sentry-fixtures --version &&
		test -f \$(pg_config --sharedir)/extension/sentry_fixtures.control &&
		test -f \$(pg_config --pkglibdir)/sentry_fixtures.so"
}
check "the image has sentry-fixtures on its PATH and the extension installed" image_has_the_extension

# The files the init container reads, mounted where the examples mount them
mkdir -p "$work/fixtures" "$work/schema"
cp "$top/example.yml" "$work/fixtures/fixtures.yml"
cp "$top/t/container/rule5.yml" "$work/fixtures/rule5.yml"
cp "$schemas/sentry-9.1.sql" "$work/schema/schema.sql"
mounts=(-v "$work/fixtures:/fixtures:ro" -v "$work/schema:/schema:ro")

port=$(free_port)
export POSTGRES_PASSWORD="pw-$RANDOM$RANDOM-server"
server_started() {
	pod run -d --name server "${run_flags[@]}" -e POSTGRES_PASSWORD $image \
		postgres -c port="$port" -c listen_addresses=127.0.0.1 -c log_statement=all &&
		for _ in $(seq 60); do
			pod exec server pg_isready -q -h 127.0.0.1 -p "$port" && return 0
			sleep 1
		done
	pod logs server
	return 1
}
check "a server container of the image listens on 127.0.0.1:$port" server_started

# Run a command in a second container of the image, connected to the server
# as docker-compose's init container is (the password from the
# environment, not the command line); its output is in $work/client.
client() {
	local password=$1
	shift
	PGPASSWORD=$password pod run --rm "${run_flags[@]}" "${mounts[@]}" \
		-e PGHOST=127.0.0.1 -e PGPORT="$port" -e PGUSER=postgres -e PGPASSWORD -e SENTRY_DB_NAME=sentry \
		$image "$@" >"$work/client" 2>&1
	client_status=$?
	cat "$work/client"
}

first_init() {
	client "$POSTGRES_PASSWORD" "${init_command[@]}"
	[ $client_status -eq 0 ] &&
		grep -qx 'database "sentry": created' "$work/client" &&
		grep -qE '^extension sentry_fixtures: [0-9.]+ created$' "$work/client" &&
		grep -qE '^schema: loaded from /schema/schema.sql \([0-9]+ statements, [0-9]+ tables' "$work/client" &&
		grep -qE '^ create \| project +\| api +\| 23 \|' "$work/client" &&
		grep -qE '^/fixtures/fixtures.yml applied: [0-9]+ created, 0 updated, 0 deleted, 0 skipped$' "$work/client"
}
check "init creates the database, bootstraps the schema, applies the fixture and prints the report" first_init

# The projects and keys of example.yml, as the database has them
state_query="SELECT p.id, p.slug, t.slug, k.public_key, length(k.secret_key) = 32
FROM sentry_project p JOIN sentry_projectteam pt ON pt.project_id = p.id
JOIN sentry_team t ON t.id = pt.team_id JOIN sentry_projectkey k ON k.project_id = p.id
WHERE p.id IN (23, 24, 35) ORDER BY p.id"
expected_state='23|api|backend|0123456789abcdef0123456789abcdef|t
24|worker|backend|1123456789abcdef0123456789abcdef|t
35|storefront|web|89abcdef0123456789abcdef01234567|t'
fixture_state() {
	client "$POSTGRES_PASSWORD" psql -XAt -v ON_ERROR_STOP=1 -d sentry -c "$state_query" &&
		[ "$(cat "$work/client")" = "$expected_state" ] &&
		client "$POSTGRES_PASSWORD" psql -XAt -d sentry -c "SELECT secret_key FROM sentry_projectkey WHERE project_id = 23" &&
		[ "$(cat "$work/client")" = 456789abcdef0123456789abcdef0123 ]
}
check "the database has example.yml's projects, teams and keys" fixture_state

second_init() {
	client "$POSTGRES_PASSWORD" "${init_command[@]}"
	[ $client_status -eq 0 ] &&
		grep -qx 'database "sentry": exists' "$work/client" &&
		grep -qE '^schema: [0-9]+ tables already there, /schema/schema.sql not loaded$' "$work/client" &&
		grep -qx '/fixtures/fixtures.yml: nothing to do, the database already matches it' "$work/client"
}
check "a second init has nothing to do and exits 0" second_init

rule5_skip() {
	client "$POSTGRES_PASSWORD" sentry-fixtures init --fixtures /fixtures/rule5.yml --wait 120
	[ $client_status -eq 2 ] &&
		grep -qE '^ skip +\| project +\| worker +\| 23 \|' "$work/client" &&
		grep -q '1 entry skipped' "$work/client"
}
check "a fixture with a rule-5 skip exits 2" rule5_skip

wrong_password="pw-$RANDOM$RANDOM-wrong"
wrong_password_fails() {
	client "$wrong_password" "${init_command[@]}"
	[ $client_status -eq 1 ] && grep -q 'password authentication failed' "$work/client"
}
check "a wrong password exits 1" wrong_password_fails

# The log of server container $1 has statements (log_statement = 'all' is
# on) and none of: the fixture's secret key and admin password, nor the
# passwords given after $1.
server_log_clean() {
	local container=$1 password patterns=()
	shift
	for password in 456789abcdef0123456789abcdef0123 "$(sed -n 's/^  password: //p' "$top/example.yml")" "$@"; do
		patterns+=(-e "$password")
	done
	pod logs "$container" >"$work/server.log" 2>&1 &&
		grep -q 'LOG:  statement: ' "$work/server.log" &&
		grep -q 'sentry_fixtures_apply(' "$work/server.log" &&
		grep -q 'sentry_schema_bootstrap(' "$work/server.log" &&
		! grep -F "${patterns[@]}" "$work/server.log"
}
check "the server's log (log_statement = 'all') has no secret key or password" \
	server_log_clean server "$POSTGRES_PASSWORD" "$wrong_password"
pod rm -f -t 0 server >/dev/null

# docs/init-container.md's YAML blocks, by what they hold
extract_yaml() {
	$python - "$top/docs/init-container.md" "$1" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
for block in re.findall(r"^```yaml\n(.*?)^```", text, re.S | re.M):
    if sys.argv[2] in block:
        sys.stdout.write(block)
        break
else:
    sys.exit("no yaml block with " + sys.argv[2])
PY
}

# The docs' compose file, as podman-compose runs it on the host network
mkdir "$work/compose"
extract_yaml "sentry-fixtures:" >"$work/compose/docker-compose.yml"
cp "$top/example.yml" "$work/compose/fixtures.yml"
cp "$schemas/sentry-9.1.sql" "$work/compose/sentry-9.1.sql"
compose() {
	(cd "$work/compose" && SF_TEST_PORT=$port podman-compose --no-ansi -p sfdocs \
		--podman-path "$top/t/container/podman-host-network" \
		--podman-args "--root $storage --runroot $work/run --runtime runc" \
		-f docker-compose.yml -f "$top/t/container/compose.host-network.yml" "$@")
}
# Whether the log of container $1 has a line matching $2; the log is
# printed.  It is read into a file, not piped to grep -q: under pipefail a
# grep that stops at its match can kill podman with SIGPIPE while it writes
# the last line (the init's cache line after its "applied" line), failing a
# run that passed (seen in CI).
log_has_line() {
	local status=0
	pod logs "$1" >"$work/container.log" 2>&1 || status=$?
	cat "$work/container.log"
	[ $status -eq 0 ] && grep -qE "$2" "$work/container.log"
}
compose_runs() {
	pod tag $image localhost/postgres-sentry-fixtures:latest &&
		compose up -d sentry-fixtures &&
		[ "$(pod wait sfdocs_sentry-fixtures_1)" = 0 ] &&
		log_has_line sfdocs_sentry-fixtures_1 '^/fixtures/fixtures.yml applied: [0-9]+ created, 0 updated, 0 deleted, 0 skipped$'
}
check "docs/init-container.md's compose file runs with podman-compose: the init container applies the fixture and exits 0" compose_runs

compose_state() {
	client change-me psql -XAt -v ON_ERROR_STOP=1 -d sentry -c "$state_query" &&
		[ "$(cat "$work/client")" = "$expected_state" ]
}
check "the compose run reaches the same state" compose_state
check "the compose server's log has no secret key or password" server_log_clean sfdocs_postgres_1 change-me
compose down -v >/dev/null 2>&1

# The command of a container in a YAML file, as a list: $1 the file, $2 a
# Python expression for the container's mapping in the parsed document d.
command_of() {
	$python - "$1" "$2" <<'PY'
import shlex, sys, yaml
d = yaml.safe_load(open(sys.argv[1]))
command = eval(sys.argv[2], {"d": d})["command"]
print("\n".join(shlex.split(command) if isinstance(command, str) else command))
PY
}
same_command() {
	local got
	got=$(command_of "$1" "$2") || return 1
	printf '%s\n' "got: $got"
	[ "$got" = "$(printf '%s\n' "${init_command[@]}")" ]
}

check "the compose file's init container runs the command the test ran" \
	same_command "$work/compose/docker-compose.yml" 'd["services"]["sentry-fixtures"]'

extract_yaml "kind: Pod" >"$work/pod.yml"
check "the Kubernetes example is valid YAML and its init container runs the same command" \
	same_command "$work/pod.yml" '[c for c in d["spec"]["initContainers"] if c["image"] == "postgres-sentry-fixtures"][0]'

# getsentry/self-hosted: the override on a file of self-hosted's shape
override=$top/docs/self-hosted/docker-compose.override.yml
self_hosted_parses() {
	mkdir -p "$work/self-hosted" && cp "$top/t/container/self-hosted-shape.yml" "$work/self-hosted/docker-compose.yml" &&
		cp "$override" "$work/self-hosted/docker-compose.override.yml" &&
		ln -s "$work/src" "$work/self-hosted/sentry_fixtures" &&
		(cd "$work/self-hosted" && podman-compose --no-ansi --dry-run -p sfsh \
			--podman-path "$top/t/container/podman-host-network" \
			--podman-args "--root $storage --runroot $work/run --runtime runc" \
			-f docker-compose.yml -f docker-compose.override.yml up -d) >"$work/dry-run" 2>&1
	local status=$?
	cat "$work/dry-run"
	[ $status -eq 0 ] && grep -q -- '--name=sfsh_sentry-fixtures_1' "$work/dry-run"
}
check "the self-hosted override parses, merged with self-hosted's compose file by podman-compose" self_hosted_parses
check "the self-hosted override's init container runs the command the test ran" \
	same_command "$override" 'd["services"]["sentry-fixtures"]'

self_hosted_order() {
	$python - "$override" <<'PY'
import sys, yaml
s = yaml.safe_load(open(sys.argv[1]))["services"]
assert s["web"]["depends_on"]["sentry-fixtures"]["condition"] == "service_completed_successfully", s["web"]
assert s["sentry-fixtures"]["depends_on"]["postgres"]["condition"] == "service_healthy", s["sentry-fixtures"]
assert s["postgres"]["build"]["args"]["BASE_IMAGE"] == "postgres:14.11", s["postgres"]
assert str(s["postgres"]["build"]["args"]["PG_MAJOR"]) == "14", s["postgres"]
assert s["sentry-fixtures"]["image"] == s["postgres"]["image"], s
PY
}
check "in the override, web (and so 'run web upgrade') waits for the init container, built on postgres:14.11" self_hosted_order

nothing_left() {
	remove_podman_objects
	local status=$? containers images volumes networks
	containers=$(pod ps -aq) images=$(pod images -aq) volumes=$(pod volume ls -q)
	networks=$(pod network ls --format '{{.Name}}' | grep -E '^sf(docs|sh)_')
	echo "removal status $status; left: containers [$containers] images [$images] volumes [$volumes] networks [$networks]"
	unmount_work
	grep -F " $work/" /proc/mounts
	[ $status -eq 0 ] && [ -z "$containers$images$volumes$networks" ] && ! grep -qF " $work/" /proc/mounts
}
check "no container, image, volume, network or mount is left" nothing_left

echo "1..$tests"
[ $failures -eq 0 ]
