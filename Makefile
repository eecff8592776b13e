# Two commands do all the set-up: `make demo` runs the baseline scenario, `make test` runs the tests.
# Both create the virtual environment in .venv (with a Python >= 3.12) when it is missing.
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test bench clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || "$$(tools/find-python)" -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test,classroom,discovery,dask]'
	@touch $(STAMP)

demo: $(STAMP)
	$(BIN)/dipsim run baseline --force --report

# The rule and golden tests run again as plain Python (numba's NUMBA_DISABLE_JIT): the kernels must mean the same
# both ways (tests/test_kernels.py). It leaves out the two long AKR statistics (half a minute as plain Python; they
# run compiled above, and the other balance tests run the same kernel plain), and adds under 10 s.
test: $(STAMP)
	tools/install-browser
	$(BIN)/python -m pytest -n auto
	NUMBA_DISABLE_JIT=1 $(BIN)/python -m pytest tests/rules tests/test_golden.py -k 'not long_run_friendly_density'

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_run.py

clean:
	rm -rf $(VENV) runs build dist *.egg-info
