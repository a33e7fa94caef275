#!/bin/bash
#
# t/shell_tap.sh: what the shell test scripts share (t/deb_install.sh and
# t/container_init.sh source it): check(), which runs one check and reports
# it in TAP, and copy_tree(), the copy of the project that their builds
# start from, so that a build never sees results, objects or caches of the
# working tree.  The caller sets $top (the project) and $work (its scratch
# directory) and starts $tests and $failures at 0.

# Report one check: its description, then the command that must succeed; a
# failing command's last 40 lines of output follow as TAP diagnostics.
check() {
	local description=$1
	shift
	tests=$((tests + 1))
	if "$@" >"$work/out" 2>&1; then
		echo "ok $tests - $description"
	else
		failures=$((failures + 1))
		echo "not ok $tests - $description"
		sed 's/^/# /' "$work/out" | tail -40
	fi
}

# Copy the files git tracks (and new ones it does not ignore) to directory
# $1, which must not exist; every file but .git's when $top is no checkout.
copy_tree() {
	mkdir "$1" &&
		(cd "$top" && git ls-files -co --exclude-standard 2>/dev/null || find . -path ./.git -prune -o -type f -print) |
		(cd "$top" && tar -cf - -T -) | tar -xf - -C "$1"
}
