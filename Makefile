# duban — see README.md. Build tools are pinned here and fetched by the go
# command itself; nothing is assumed to be on PATH but Go (and, for a local
# database, the PostgreSQL server binaries).

SHELL := /bin/bash
GO ?= go
TEMPL_VERSION := v0.3.1100
STATICCHECK_VERSION := v0.8.2
TEMPL := $(GO) run github.com/a-h/templ/cmd/templ@$(TEMPL_VERSION)
STATICCHECK := $(GO) run honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)
BIN := bin/duban
DEV := bin/duban-dev
# Tests run in parallel per package; -p 2 matches a 2-core machine.
TEST_FLAGS ?= -count=1 -p 2
FUZZTIME ?= 20000x

.PHONY: corpus audit run build test test-short generate generate-check lint fmt vet staticcheck db-up db-down migrate-new migrations-check fuzz bench reliability clean

## run: start duban with a local PostgreSQL (or DATABASE_URL), migrate, seed, serve on :8080
run: build
	$(DEV) dev

## build: compile bin/duban (the product) and bin/duban-dev (development tools)
build: generate
	$(GO) build -o $(BIN) ./cmd/duban
	$(GO) build -o $(DEV) ./cmd/duban-dev

## test: the whole test suite against a throwaway PostgreSQL (or TEST_DATABASE_URL), then the parser's corpus scores
test: build
ifdef TEST_DATABASE_URL
	$(GO) test $(TEST_FLAGS) ./...
else
	$(DEV) devdb exec -- $(GO) test $(TEST_FLAGS) ./...
endif
	@$(MAKE) --no-print-directory corpus

## corpus: the plan parser read against the real documents of internal/planparse/testdata/corpus, score per family and document
corpus:
	@$(GO) test -count=1 -run '^TestCorpus$$' -v ./internal/planparse | sed -n 's/^ *corpus_test.go:[0-9]*: corpus: //p'; test $${PIPESTATUS[0]} -eq 0

## fuzz: run the parser's fuzz test for FUZZTIME
fuzz:
	$(GO) test -run '^$$' -fuzz FuzzParse -fuzztime $(FUZZTIME) -fuzzminimizetime 100x ./internal/planparse

## bench: the Go benchmarks, then HTTP load runs against real servers at scale 1 and 200 (README, Performance)
# The scale-200 cluster (5-8 minutes to generate, 3 GB) is kept in
# BENCH_DATA_DIR and reused by later runs.
BENCH_DATA_DIR ?= $(or $(TMPDIR),/tmp)/duban-bench
BENCH_FLAGS ?=
bench: build
	$(GO) test -run '^$$' -bench . -benchmem ./internal/deadline ./internal/planparse ./internal/gen ./internal/metrics
	$(DEV) devdb exec -- $(GO) test -run '^$$' -bench SeedEmptyDatabase -benchmem -benchtime 5x ./internal/postgres
	$(DEV) bench --scales 1,200 --data $(BENCH_DATA_DIR) $(BENCH_FLAGS)
	$(DEV) devdb exec --dir $(BENCH_DATA_DIR)/scale-200 -- sh -c 'DUBAN_BENCH_URL=$$DATABASE_URL $(GO) test -run "^$$" -bench PlanAtScale -benchtime 100x ./internal/postgres'
	$(DEV) devdb exec --dir $(BENCH_DATA_DIR)/scale-200 -- sh -c 'DUBAN_BENCH_URL=$$DATABASE_URL $(GO) test -run "^$$" -bench ReminderPassScale -benchtime 3x -timeout 30m ./internal/remind'

## reliability: fault tests (database restart, failover to a synchronous standby, terminated connections, SIGTERM, slow clients, runaway query) and the soak (RELIABILITY_SOAK=2m)
reliability:
	$(GO) test -tags reliability -count=1 -timeout 30m -v ./internal/reliability

## audit: Lighthouse 12.2.3 and axe-core on the main pages, signed in (needs Node 20 and Chromium)
audit: build
	cd web/audit && npm ci --no-audit --no-fund --loglevel=error
ifdef DATABASE_URL
	web/audit/run.sh
else
	$(DEV) devdb exec -- web/audit/run.sh
endif

## generate: templ components -> *_templ.go (committed)
generate:
	$(TEMPL) generate -log-level error

## generate-check: fail if generated files are out of date
generate-check: generate
	@git diff --exit-code -- '*_templ.go' || (echo "templ generate changed files: run make generate and commit" && exit 1)
	@test -z "$$(git status --porcelain -- '*_templ.go')" || (git status --porcelain -- '*_templ.go'; echo "untracked generated files: commit them" && exit 1)

## lint: gofmt, go vet, staticcheck
lint: fmt vet staticcheck

fmt:
	@out=$$(gofmt -l $$(git ls-files '*.go' | grep -v '_templ.go$$')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

staticcheck:
	$(STATICCHECK) ./...

## migrations-check: up, down to zero, up again on a fresh database
migrations-check: build
ifdef TEST_DATABASE_URL
	$(GO) test -count=1 -run 'TestMigrations' ./internal/postgres/
else
	$(DEV) devdb exec -- $(GO) test -count=1 -run 'TestMigrations' ./internal/postgres/
endif

## db-up / db-down: PostgreSQL in Docker for those who prefer it (see docker-compose.yml)
db-up:
	docker compose up -d db
	@echo 'export DATABASE_URL=postgres://duban:duban@127.0.0.1:5432/duban?sslmode=disable'
	@echo 'export TEST_DATABASE_URL=postgres://duban:duban@127.0.0.1:5432/postgres?sslmode=disable'

db-down:
	docker compose down

## migrate-new NAME=x: create the next pair of migration files
migrate-new:
	@test -n "$(NAME)" || (echo "usage: make migrate-new NAME=add_something" && exit 1)
	@n=$$(ls migrations/*.up.sql 2>/dev/null | sed 's|migrations/0*||; s|_.*||' | sort -n | tail -1); \
	 next=$$(printf '%06d' $$(( $${n:-0} + 1 ))); \
	 printf 'BEGIN;\n\n-- %s\n\nCOMMIT;\n' "$(NAME)" > migrations/$${next}_$(NAME).up.sql; \
	 printf 'BEGIN;\n\n-- undo %s\n\nCOMMIT;\n' "$(NAME)" > migrations/$${next}_$(NAME).down.sql; \
	 echo "created migrations/$${next}_$(NAME).up.sql and .down.sql"

clean:
	rm -rf bin
