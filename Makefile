# Quick start: `make demo` runs cwfilter on samples/, `make test` runs the test suite.
# Both create .venv and install the project (not editable, so the built wheel is what is tested);
# `make test` also runs ruff (lint and format) and mypy --strict on src/.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
CWL012 := { ($$.eventSource = s3.amazonaws.com) && (($$.eventName = PutBucketAcl) || ($$.eventName = PutBucketPolicy) || ($$.eventName = PutBucketCors) || ($$.eventName = PutBucketLifecycle) || ($$.eventName = PutBucketReplication) || ($$.eventName = DeleteBucketPolicy) || ($$.eventName = DeleteBucketCors) || ($$.eventName = DeleteBucketLifecycle) || ($$.eventName = DeleteBucketReplication)) }

.PHONY: install install-test install-bench test fuzz demo bench ratios parser catalogue clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

# The package alone (what the demo and a user need); the test extra only for the tests.
install: $(BIN)/python
	$(BIN)/python -m pip install -q .

install-test: $(BIN)/python
	$(BIN)/python -m pip install -q ".[test]"

# The benchmarks also time DuckDB and a pysimdjson loop (the bench extra; CI does not need them).
install-bench: $(BIN)/python
	$(BIN)/python -m pip install -q ".[test,bench]"

test: install-test
	$(BIN)/ruff check src tests benchmarks scripts tools
	$(BIN)/ruff format --check src tests benchmarks scripts tools
	$(BIN)/mypy --strict src
	$(BIN)/python -m pytest tests benchmarks

# The fuzz tests (the CLI with generated arguments and damaged files; the RE2 regex translation
# against Python's re; the AlarmRule and metric math grammars) with FUZZ_EXAMPLES random examples each; `make test` runs them from a
# fixed seed with a few dozen.
FUZZ_EXAMPLES ?= 2000
fuzz: install-test
	CWFILTER_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/python -m pytest tests/test_fuzz_cli.py tests/test_regex.py \
		tests/test_alarm_rule.py tests/test_math_alarm.py

# `make demo` writes its files (the replay's HTML page) here.
DEMO_OUT ?= demo-output
demo: install
	@echo '$$ cwfilter check "<CWL-012 pattern>"'
	@$(BIN)/cwfilter check '$(CWL012)'
	@echo
	@echo '$$ cwfilter match "<CWL-012 pattern>" samples/cloudtrail-events.jsonl   (eventTime, source, name, bucket of each match)'
	@$(BIN)/cwfilter match '$(CWL012)' samples/cloudtrail-events.jsonl | $(BIN)/python -c 'import sys, json; [print(r["eventTime"], r["eventSource"], r["eventName"], r["requestParameters"] and r["requestParameters"]["bucketName"]) for r in map(json.loads, sys.stdin)]'
	@echo
	@echo '$$ cwfilter match "[ip, id, user, timestamp, request, status_code = 4*, bytes]" samples/access.log --extract'
	@$(BIN)/cwfilter match '[ip, id, user, timestamp, request, status_code = 4*, bytes]' samples/access.log --extract
	@echo
	@echo '$$ cwfilter replay samples/cloudtrail --rule CWL-012'
	@$(BIN)/cwfilter replay samples/cloudtrail --rule CWL-012
	@echo
	@mkdir -p $(DEMO_OUT)
	@echo '$$ cwfilter replay samples/cloudtrail --rule CWL-012 --matches $(DEMO_OUT)/matches.jsonl --output html -o $(DEMO_OUT)/replay.html'
	@$(BIN)/cwfilter replay samples/cloudtrail --rule CWL-012 --matches $(DEMO_OUT)/matches.jsonl --output html -o $(DEMO_OUT)/replay.html
	@echo "the replay as a picture: $(abspath $(DEMO_OUT)/replay.html) (open it in a browser)"

# The replay benchmarks read a generated CloudTrail tree of BENCH_MB MB (cached in .benchmarks/corpus);
# the summary at the end gives MB/s and the ratio to the ISA-L decompression limit.
BENCH_MB ?= 100
bench: install-bench
	CWFILTER_BENCH_MB=$(BENCH_MB) $(BIN)/python -m pytest benchmarks --benchmark-enable --benchmark-columns=min,median,mean,ops --benchmark-sort=name

# The paired ratio test alone on the issue's 1 GB corpus, where starting the worker pool no
# longer weighs on the 2-process ratio (the corpus is generated once: about 3.5 minutes).
RATIOS_MB ?= 1000
ratios: install-bench
	CWFILTER_BENCH_MB=$(RATIOS_MB) $(BIN)/python -m pytest benchmarks -k test_ratios_to_the_limit --benchmark-enable

# Regenerate the parser tables (src/cwfilter/pattern/lalr_tables.py; alarm/rule_tables.py and
# alarm/math_tables.py) after editing a grammar in grammar/; `make test` fails while they are stale.
parser: install-test
	$(BIN)/python tools/tablegen.py

# Regenerate the CloudTrail catalogue (src/cwfilter/cloudtrail/catalogue.json.gz) from the installed
# botocore's service models; `make test` fails while it is stale.
catalogue: install-test
	$(BIN)/python tools/catalogue.py

clean:
	rm -rf $(VENV) build dist .pytest_cache .benchmarks
