#!/bin/bash
#
# t/deb_install.sh: build the Debian package, install it, and use it.
#
# Run by test.sh as root after the test suites, inside its lock: installing
# the package replaces the files "make install" put in the server's
# directories with the same build from the package; at the end the package
# is purged and "make install" puts the working tree's build back.  The
# package is for the major of $PG_CONFIG (default: the pg_config on PATH):
# debian/control is made again from debian/control.in for it, as
# pg_buildext does for each version debian/pgversions lists; t/pg_matrix.sh
# runs this script in each major's chroot.
# Prints TAP ("ok N - ...") and exits non-zero on any failure.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
major=$(${PG_CONFIG:-pg_config} --version | sed -E 's/^PostgreSQL ([0-9]+).*/\1/')
package=postgresql-$major-sentry-fixtures
tests=0
failures=0

# check() and copy_tree()
. "$top/t/shell_tap.sh"

work=$(mktemp -d /tmp/sentry_fixtures-deb.XXXXXX)
chmod 755 "$work"
trap 'rm -rf "$work"' EXIT

# The package is built from the files git tracks (and new ones not ignored),
# in a copy: dpkg-buildpackage writes its results beside the source tree.
copy_tree "$work/src"

build() {
	cd "$work/src" && pg_buildext updatecontrol && DEB_BUILD_OPTIONS=nocheck DEB_BUILD_PROFILES=nocheck dpkg-buildpackage -us -uc -b
}
check "dpkg-buildpackage builds the package" build
debs=("$work/${package}"_*.deb)
deb=${debs[0]}
check "the build made $package" test -f "$deb"

check "dpkg -i installs it" dpkg -i "$deb"
check "the extension's files on disk are the package's" dpkg --verify "$package"
check "the package ships the sentry-fixtures command" test -x /usr/lib/postgresql/$major/bin/sentry-fixtures

cp "$top/example.yml" "$work/example.yml"
chown -R postgres: "$work"
use_package() {
	su postgres -s /bin/bash -c "cd '$work' && pg_virtualenv -v $major sh -c '
		set -e
		createdb sentry
		psql -X -v ON_ERROR_STOP=1 -d sentry -c \"CREATE EXTENSION sentry_fixtures\"
		psql -XAt -d sentry -c \"SELECT extversion FROM pg_extension WHERE extname = '\''sentry_fixtures'\''\"
		PGDATABASE=sentry /usr/lib/postgresql/$major/bin/sentry-fixtures validate example.yml'"
}
check "CREATE EXTENSION from the package, and its sentry-fixtures validates example.yml" use_package

# Leave the server's directories as test.sh found them
restore() {
	dpkg --purge "$package" && cd "$top" && make -s install
}
check "the package is purged and the working tree's build reinstalled" restore

echo "1..$tests"
[ $failures -eq 0 ]
