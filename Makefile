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

# pip runs without -q so that set-up shows what it is doing (no silent minutes).
$(BIN)/mt: pyproject.toml
	@echo "== [1/4] virtual environment $(VENV) ($(PYTHON))"
	$(PYTHON) -m venv $(VENV)
	@echo "== [2/4] pip"
	$(BIN)/pip install --upgrade --progress-bar off pip
	@echo "== [3/4] $(TORCH_SPEC), the CPU build, before anything can pull a CUDA one"
	$(BIN)/pip install --progress-bar off "$(TORCH_SPEC)"
	@echo "== [4/4] mt with its optional parts and test tools (.[dev])"
	$(BIN)/pip install --progress-bar off -e ".[dev]"
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
