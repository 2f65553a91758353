# Cabañas: `make run` starts everything, `make test` runs the whole suite.
VENV   ?= .venv
PY     := $(VENV)/bin/python
PROTOS := $(wildcard proto/cabanas/v1/*.proto)

.PHONY: install run chat test proto lint fmt bench clean

install: $(VENV)/.installed

# Reinstall when the dependencies change.
$(VENV)/.installed: pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $@

run: install
	$(PY) -m services.common.devstack

# A terminal WhatsApp guest, against a running `make run` (another terminal).
chat: install
	$(PY) -m services.messaging.chat

test: install
	$(PY) -m pytest

# Stubs are committed (a fresh clone needs no generation step);
# tests/test_contracts.py fails when they are stale.
proto: install
	$(PY) -m grpc_tools.protoc -I proto --python_out=. --pyi_out=. --grpc_python_out=. $(PROTOS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

fmt: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

bench: install
	@for script in bench/*.py; do [ -e "$$script" ] || continue; echo "== $$script"; $(PY) "$$script" || exit 1; done

clean:
	rm -rf .data
