# Cabañas: `make run` starts everything, `make test` runs the whole suite.
VENV   ?= .venv
PY     := $(VENV)/bin/python
PROTOS := $(wildcard proto/cabanas/v1/*.proto)

.PHONY: install run chat test test-fast typecheck proto lint fmt bench clean k8s-validate audit

install: $(VENV)/.installed

# Reinstall when the dependencies change.
$(VENV)/.installed: pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $@

run: install
	$(PY) -m devtools.devstack

# A terminal WhatsApp guest, against a running `make run` (another terminal).
chat: install
	$(PY) -m devtools.chat

test: install
	$(PY) -m pytest

# The inner loop: unit tests only, no embedded servers or processes (well under a minute).
test-fast: install
	$(PY) -m pytest -m "not stack" -q

# Stubs are committed (a fresh clone needs no generation step);
# tests/test_contracts.py fails when they are stale.
# The grpc stubs' .pyi come from mypy-protobuf (protoc-gen-mypy_grpc, on PATH from the venv).
proto: install
	PATH="$(VENV)/bin:$$PATH" $(PY) -m grpc_tools.protoc -I proto --python_out=. --pyi_out=. \
		--grpc_python_out=. --mypy_grpc_out=. $(PROTOS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

# mypy, strict on services/ and gateway/ ([tool.mypy] in pyproject.toml).
typecheck: install
	$(VENV)/bin/mypy

fmt: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

bench: install
	@for script in bench/*.py; do [ -e "$$script" ] || continue; echo "== $$script"; $(PY) "$$script" || exit 1; done

# Lint the Dockerfiles, render every kustomize overlay, validate the objects
# against the Kubernetes API schemas (offline: kubernetes-validate ships them;
# the oldest cluster version we support and the newest), then the policy tests.
# kubectl and hadolint come from the dev extra, not from the system.
K8S_OVERLAYS := dev prod gpu
K8S_VERSIONS := 1.30.0 1.37.0
K8S_OUT      := build/k8s

k8s-validate: install
	$(VENV)/bin/hadolint Dockerfile Dockerfile.speech-cuda
	@mkdir -p $(K8S_OUT)
	@for overlay in $(K8S_OVERLAYS); do \
		echo "== deploy/k8s/overlays/$$overlay"; \
		$(VENV)/bin/kubectl kustomize deploy/k8s/overlays/$$overlay > $(K8S_OUT)/$$overlay.yaml || exit 1; \
		$(VENV)/bin/kubernetes-validate --strict --quiet $(K8S_VERSIONS:%=-k %) $(K8S_OUT)/$$overlay.yaml || exit 1; \
	done
	$(PY) -m pytest -q tests/test_k8s.py tests/test_deploy.py

# Known vulnerabilities in everything installed from the pins (runtime, dev and what
# they pull in; not the project itself), from PyPI's vulnerability data: pip-audit's
# default service, which needs PyPI's JSON API (/pypi/NAME/VERSION/json) and nothing else.
# --strict: a package that cannot be looked up fails the audit instead of passing unseen.
# --no-deps --disable-pip: audit exactly the installed versions, resolve nothing.
# Accepted findings: audit-ignore.txt, one ID a line with the reason.
AUDIT_IGNORE := $(shell sed -e 's/\#.*//' audit-ignore.txt)

audit: install
	@mkdir -p build
	$(PY) -m pip list --format=freeze --exclude-editable --disable-pip-version-check > build/audit-requirements.txt
	$(VENV)/bin/pip-audit --strict --no-deps --disable-pip --progress-spinner off \
		-r build/audit-requirements.txt $(addprefix --ignore-vuln ,$(AUDIT_IGNORE))

clean:
	rm -rf .data
