# autoclass: `make train` (set up, train, print the held-out evaluation), `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
MODEL := models/default/metadata.json
# The five real seed pages of ../shared are evaluated beside the held-out pages when present.
SEEDS := ../shared/seeds-labeled.jsonl
SEED_SET = $(if $(wildcard $(SEEDS)),--extra-set seeds=$(SEEDS))
NO_SEEDS = $(if $(wildcard $(SEEDS)),,@echo "$(SEEDS) not found: the seed pages are not evaluated")
# The held-out bodies once more, each cut to its article in another held-out site (the shape of
# most real pages; training/compose.py, HELDOUT_CUT), evaluated beside the held-out pages.
CUT_SET := --extra-set heldout-cut=labels/heldout-cut
# The HTML classifier learns from the composed pages rendered as HTML (training/html_styles.py).
HTML_PAGES := --html-pages training.html_styles:html_pages
# The cross-validation's folds are fitted on all cores (--jobs -1); the figures do not depend on it.
TRAIN = $(BIN)/autoclass train labels/train --heldout labels/heldout $(CUT_SET) $(SEED_SET) $(HTML_PAGES) --jobs -1 $(CROSSVAL) -o models/default
# The tests need a model, not its cross-validation (6.5 minutes on two cores): a model that `make test`
# trains has none (`make train` gives it; `make dist` refuses to ship a model without it).
test test-fast bench: CROSSVAL := --no-crossval

.PHONY: install labels labels-check train eval eval-real eval-html dist test test-fast bench lint format clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

# Rebuild labels/train, labels/heldout and labels/heldout-cut from labels/sources (deterministic).
labels: $(STAMP)
	$(BIN)/python -m training.compose

labels-check: $(STAMP)
	$(BIN)/python -m training.labels_check

# The same commands as a user's: `autoclass train` / `autoclass evaluate`.
$(MODEL): $(STAMP) $(wildcard labels/*.json labels/train/*.jsonl labels/heldout/*.jsonl labels/heldout-cut/*.jsonl autoclass/*.py autoclass/training/*.py) autoclass/training/config.toml
	$(BIN)/python -m training.labels_check --quiet
	$(NO_SEEDS)
	$(TRAIN)

train: $(STAMP)
	$(BIN)/python -m training.labels_check --quiet
	$(NO_SEEDS)
	$(TRAIN)

# Metrics (evaluation.md/json) and the HTML report (report.html, with a cached learning curve)
# in the model directory (--force: it is the model's own evaluation); prints the report's path.
eval: $(MODEL)
	$(NO_SEEDS)
	$(BIN)/autoclass evaluate models/default labels/heldout $(CUT_SET) $(SEED_SET) $(HTML_PAGES) -o models/default --force --learning-curve

# What is published: dist/*.whl and dist/*.tar.gz, with the default model (trained first when
# needed, shipped as model.npz) and the labeling guide inside the package.
dist: $(MODEL)
	rm -rf dist
	$(BIN)/python -m training.dist
	$(BIN)/python -m build --no-isolation --outdir dist .

# The real-page development set (labels/real: URLs, hashes, labels) joined with the texts cached in
# .cache/realpages; without them it lists the pages to fetch and how. Then the wrong lines of each
# part sorted into the failure classes of real pages (training/failures.py).
eval-real: $(MODEL)
	$(BIN)/python -m training.realpages eval --markdown
	$(BIN)/python -m training.failures --split all

# The HTML path on the public article-extraction benchmark in ../shared/html-benchmark (when present):
# article-body F1 (dev and test halves), relevance on its car pages, pages/s on one core, each beside
# trafilatura measured in the same run; written to models/default/html-benchmark.json, which the
# model's report.html (make eval) then shows.
eval-html: $(MODEL)
	$(BIN)/python -m training.eval_html

test: $(MODEL)
	$(BIN)/python -m pytest

# The same without the long property and fuzz runs (marked slow), for quick iterations.
test-fast: $(MODEL)
	$(BIN)/python -m pytest -m "not slow"

bench: $(MODEL)
	$(BIN)/python -m benchmarks.bench
	$(BIN)/python -m benchmarks.bench_cli
	$(BIN)/python -m benchmarks.bench_hostile
	$(BIN)/python -m benchmarks.bench_load

lint: $(STAMP)
	$(BIN)/ruff check autoclass training tests benchmarks
	$(BIN)/ruff format --check autoclass training tests benchmarks

format: $(STAMP)
	$(BIN)/ruff format autoclass training tests benchmarks

clean:
	rm -rf $(VENV) models/default .pytest_cache build dist autoclass/default_model
