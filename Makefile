# Quick start: `make demo` and `make test` install everything they need.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=
# Three pytest workers on two cores: a fifth of the suite's time is spent
# waiting (subprocesses starting, servers restarting), which a third worker
# fills (measured on 2 cores: 724 s with -n 3; 874 s with -n 2 on the suite
# before the local_mp kill tests were merged into one run).
PYTEST_WORKERS ?= 3

.PHONY: install demo test test-fast benchmarks clean

install: $(STAMP)

$(STAMP): setup.py pyproject.toml $(wildcard third_party/libmypaint/*.cc third_party/libmypaint/*.h) scripts/install_system_deps.sh
	./scripts/install_system_deps.sh
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip "setuptools>=64,<81" wheel
	$(PY) -m pip install --quiet -e ".[test]"
	touch $(STAMP)

demo: install
	$(PY) launch/demo.py --output_dir=outputs/demo

test: install
	$(PY) -m pytest -n $(PYTEST_WORKERS) -rs --durations=15 $(PYTEST_ARGS) tests

test-fast: install
	$(PY) -m pytest -n $(PYTEST_WORKERS) -m "not slow" $(PYTEST_ARGS) tests

benchmarks: install
	$(PY) benchmarks/env_throughput.py
	$(PY) benchmarks/policy_throughput.py
	$(PY) benchmarks/learning_digits.py

clean:
	rm -rf build *.egg-info spiral_acme/*.so outputs
