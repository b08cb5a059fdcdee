# Two entry points for a fresh machine (see README):
#   make demo  - set up .venv and run the main job on the bundled corpus
#   make test  - set up .venv and run the whole test suite
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
OUT    ?= out
# The CPU build of torch first: an unpinned `pip install torch` pulls a multi-GB CUDA build.
TORCH_SPEC ?= torch==2.13.0

.PHONY: setup demo test lint bench clean

$(BIN)/mt: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q "$(TORCH_SPEC)"
	$(BIN)/pip install -q -e ".[dev]"
	touch $(BIN)/mt

setup: $(BIN)/mt

demo: setup
	bash scripts/demo.sh $(OUT)

test: setup
	$(BIN)/python -m pytest

lint: setup
	$(BIN)/ruff check mt tests benchmarks corpora
	$(BIN)/ruff format --check mt tests benchmarks corpora

clean:
	rm -rf $(OUT) build *.egg-info
