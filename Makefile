# threatforge: the two commands are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
EXAMPLE := examples/card-checkout/threatmodel.yaml
OUT := out

.PHONY: run test lint typecheck fuzz bench quality clean

$(BIN)/threatforge-installed: pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,pdf]'
	@# An editable install compiles nothing, and PYTHONDONTWRITEBYTECODE may forbid caching at
	@# import: compile once here, as installing a wheel does (~0.1 s off every command).
	$(BIN)/python -m compileall -q src > /dev/null
	@touch $@

run: $(BIN)/threatforge-installed
	$(BIN)/threatforge validate examples/*/threatmodel.yaml
	@mkdir -p $(OUT)
	$(BIN)/threatforge analyze $(EXAMPLE) --format json -o $(OUT)/card-checkout.assessment.json
	$(BIN)/threatforge analyze $(EXAMPLE) --min-severity elevated
	$(BIN)/threatforge report $(EXAMPLE) -o $(OUT)/card-checkout.report.html
	@echo "Results: $(OUT)/card-checkout.assessment.json (JSON assessment), $(OUT)/card-checkout.report.html (report)"

test: $(BIN)/threatforge-installed
	$(BIN)/python -m pytest -q -p no:cacheprovider; status=$$?; \
	if [ $$status -eq 5 ]; then echo "no tests collected"; exit 1; fi; exit $$status

lint: $(BIN)/threatforge-installed
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy

FUZZ_SECONDS ?= 60

fuzz: $(BIN)/threatforge-installed
	$(BIN)/python -m pip install --quiet -e '.[fuzz]'
	$(BIN)/python fuzz/run.py --seconds $(FUZZ_SECONDS) --out $(OUT)/fuzz

bench: $(BIN)/threatforge-installed
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	$(BIN)/python bench/run.py

# The quality benchmark: recall and noise against practitioners' threat lists (bench/quality/).
quality: $(BIN)/threatforge-installed
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	$(BIN)/python bench/quality.py --write

clean:
	rm -rf $(VENV) $(OUT) .pytest_cache .mypy_cache .ruff_cache
