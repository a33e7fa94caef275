# sentry_fixtures: PGXS build
MODULE_big = sentry_fixtures
OBJS = \
	sentry_fixtures.o \
	fixture.o \
	dsn.o \
	validate.o \
	urlprefix.o \
	slug.o \
	optionvalue.o \
	bootstrap.o \
	dumplex.o \
	spiutil.o \
	catalog.o \
	levels.o \
	defaults.o \
	tablewrite.o \
	report.o \
	organization.o \
	reconcile.o \
	reconcile_org.o \
	reconcile_util.o \
	reconcile_projects.o \
	reconcile_newprojects.o \
	reconcile_keys.o \
	reconcile_tokens.o \
	reconcile_users.o \
	reconcile_mapping.o \
	reconcile_delete.o \
	reconcile_cascade.o \
	ondelete_data.o \
	password.o \
	export.o \
	reconcile_prune.o

EXTENSION = sentry_fixtures
# The release's version, defined here only: the control file's
# default_version, META.json and "sentry-fixtures --version" say the same
# (t/001_release.pl fails when one differs)
EXTVERSION = 0.2
# The install script of each release and the update scripts between them
DATA = $(wildcard $(EXTENSION)--*.sql)
SCRIPTS = sentry-fixtures
PGFILEDESC = "sentry_fixtures - make a Sentry database match a YAML fixture"

# pg_regress runs every sql/*.sql in name order; 00_* set up what later ones use
REGRESS = $(sort $(basename $(notdir $(wildcard sql/*.sql))))
# The C collation: names sort the same on every platform (C.UTF-8 does
# not, across glibc releases)
REGRESS_OPTS = --inputdir=. --no-locale --encoding=UTF8
TAP_TESTS = 1
# The TAP files, the longest first: with prove -jN (test.sh and sanitize.sh
# run two at a time) the suite then ends soon after its longest file
# instead of with it alone.  PROVE_TESTS given to make runs those instead.
TAP_LONGEST = t/088_current_sentry.pl t/010_corpus.pl t/063_fuzz.pl t/062_faults.pl \
	t/061_concurrency.pl t/084_delete_as_sentry.pl t/082_users_sentry9.pl t/020_bootstrap_dumps.pl
ifeq ($(strip $(PROVE_TESTS)),)
PROVE_TESTS = $(TAP_LONGEST) $(filter-out $(TAP_LONGEST),$(sort $(wildcard t/*.pl)))
endif

PG_CPPFLAGS = $(shell pkg-config --cflags yaml-0.1 libcrypto)
SHLIB_LINK = $(shell pkg-config --libs yaml-0.1 libcrypto)
# PostgreSQL's own headers have unused parameters in inline functions.
# Warnings stay warnings here, so that a newer compiler than ours does not
# fail a user's build; the test scripts and CI turn them into errors
# (test.sh and t/pg_matrix.sh pass WERROR=-Werror; sanitize.sh sets all of
# PG_CFLAGS, -Werror included).
PG_CFLAGS = -Wall -Wextra -Wno-unused-parameter $(WERROR)

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# The TAP suite alone (installcheck runs it after pg_regress, and stops
# before it when a pg_regress test fails)
.PHONY: tap-check
tap-check:
	$(prove_installcheck)

# PGXS tracks no header dependencies here: rebuild everything when a header changes
$(OBJS): $(wildcard *.h)
