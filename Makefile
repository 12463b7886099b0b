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
	src/lint.o \
	src/lint_catalog.o \
	src/lint_table.o \
	src/lint_trust.o \
	src/lock.o \
	src/plan.o \
	src/reverse.o \
	src/runner.o \
	src/safety.o \
	src/settings.o \
	src/statements.o \
	src/status.o \
	src/subxact.o \
	src/verify.o \
	src/worker.o

DATA = sql/migrate--1.0.sql
PGFILEDESC = "migrate - schema migrations inside PostgreSQL"

# Regression tests (sql/, expected/), isolation specs (test/specs, test/expected)
# and TAP tests (test/t).  test/run.sh runs all of them against a private
# cluster; "make installcheck" runs them against an already running server.
REGRESS = $(sort $(basename $(notdir $(filter-out sql/migrate--%,$(wildcard sql/*.sql)))))
REGRESS_OPTS = --inputdir=.
ISOLATION = $(sort $(basename $(notdir $(wildcard test/specs/*.spec))))
ISOLATION_OPTS = --inputdir=test

PG_CPPFLAGS = -I$(srcdir)/src

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# Every object depends on the shared header.
$(OBJS): src/migrate.h
