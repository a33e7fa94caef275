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
	defaults.o \
	tablewrite.o \
	report.o \
	organization.o \
	reconcile.o \
	reconcile_org.o \
	reconcile_util.o \
	reconcile_projects.o \
	reconcile_keys.o \
	reconcile_users.o \
	reconcile_mapping.o \
	reconcile_cascade.o \
	ondelete_data.o \
	password.o \
	export.o \
	reconcile_prune.o

EXTENSION = sentry_fixtures
DATA = sentry_fixtures--0.1.sql
SCRIPTS = sentry-fixtures
PGFILEDESC = "sentry_fixtures - make a Sentry database match a YAML fixture"

# pg_regress runs every sql/*.sql in name order; 00_* set up what later ones use
REGRESS = $(sort $(basename $(notdir $(wildcard sql/*.sql))))
REGRESS_OPTS = --inputdir=.
TAP_TESTS = 1

PG_CPPFLAGS = $(shell pkg-config --cflags yaml-0.1 libcrypto)
SHLIB_LINK = $(shell pkg-config --libs yaml-0.1 libcrypto)
# PostgreSQL's own headers have unused parameters in inline functions
PG_CFLAGS = -Wall -Wextra -Werror -Wno-unused-parameter

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
