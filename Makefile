# Makefile for the migrate extension (PGXS)

EXTENSION = migrate
MODULE_big = migrate
OBJS = \
	src/apply.o \
	src/backfill.o \
	src/catalog.o \
	src/checksum.o \
	src/define.o \
	src/deploy.o \
	src/drop_guard.o \
	src/lint.o \
	src/lint_catalog.o \
	src/lint_state.o \
	src/lint_table.o \
	src/lint_trust.o \
	src/load.o \
	src/lock.o \
	src/plan.o \
	src/repeatable.o \
	src/reverse.o \
	src/runner.o \
	src/safety.o \
	src/scope.o \
	src/settings.o \
	src/statements.o \
	src/status.o \
	src/subxact.o \
	src/verify.o \
	src/worker.o

# The install script and every upgrade script beside it (migrate--1.0--1.1.sql).
DATA = $(wildcard migrate--*.sql)
PGFILEDESC = "migrate - schema migrations inside PostgreSQL"

# Tests laid out as in contrib: regression tests in sql/, isolation specs in
# specs/, the expected output of both in expected/, TAP tests in t/.  Against
# a running server with the extension installed, "make installcheck" runs
# all three suites and "make prove_installcheck" the TAP tests alone (they
# start their own clusters with the binaries of pg_config --bindir).
# test/run.sh runs the same suites against a private cluster it builds.
REGRESS = $(sort $(basename $(notdir $(wildcard sql/*.sql))))
ISOLATION = $(sort $(basename $(notdir $(wildcard specs/*.spec))))
TAP_TESTS = 1

PG_CPPFLAGS = -I$(srcdir)/src

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# The command-line client, pg_migrate, is a PGXS program of its own in
# client/; these targets build, install and clean it with the extension.
.PHONY: client-all client-install client-installcheck client-clean
all: client-all
install: client-install
installcheck: client-installcheck
clean: client-clean
client-all client-install client-installcheck client-clean:
	$(MAKE) -C client $(patsubst client-%,%,$@)

# Every object depends on the headers.
$(OBJS): $(wildcard src/*.h)

# PGXS runs the TAP tests only at the end of "make installcheck"; this runs
# them alone, e.g. make prove_installcheck PROVE_TESTS=t/001_notices.pl.
.PHONY: prove_installcheck
prove_installcheck:
	$(prove_installcheck)
