# aiinfra.k8s — one entry point for every check (CI calls `make test`).
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV ?= .venv
INVENTORY ?= inventories/single
BIN := $(abspath $(VENV))/bin
export PATH := $(BIN):$(PATH)
export ANSIBLE_CONFIG := $(CURDIR)/ansible.cfg
export ANSIBLE_COLLECTIONS_PATH := $(CURDIR)/collections
export PYTHONDONTWRITEBYTECODE := 1
# Molecule scenarios to run (default: every scenario under molecule/, in order).
SCENARIOS ?=
PLAYBOOK_ARGS ?=

.PHONY: help deps deps-test deploy validate pin lint sanity unit integration galaxy harness phase-plays molecule test clean \
	sandbox sandbox-down sandbox-e2e sandbox-test ee-context runner-test bench bench-kubespray

help: ## list targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | expand -t 14

$(VENV)/.deps: requirements.txt collections/requirements.yml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements.txt
	@# The ansible package ships kubernetes.core, ansible.posix, community.general;
	@# install from Galaxy only what is missing.
	$(BIN)/ansible-galaxy collection list kubernetes.core ansible.posix community.general >/dev/null 2>&1 \
	  || $(BIN)/ansible-galaxy collection install -r collections/requirements.yml
	touch $@

$(VENV)/.deps-test: $(VENV)/.deps requirements-test.txt
	$(BIN)/pip install -q -r requirements-test.txt
	touch $@

deps: $(VENV)/.deps ## virtualenv with pinned Python deps and collections

deps-test: $(VENV)/.deps-test

deploy: deps ## build the cluster: make deploy INVENTORY=inventories/ha
	ansible-playbook site.yml -i $(INVENTORY) $(PLAYBOOK_ARGS)

validate: deps ## check an inventory on the controller only (contacts no host)
	ansible-playbook playbooks/validate.yml -i $(INVENTORY) $(PLAYBOOK_ARGS)

pin: deps ## pin sha256 / image digests for a version bump into the versions file (connected machine; review git diff)
	ansible-playbook playbooks/pin.yml -i $(INVENTORY) $(PLAYBOOK_ARGS)

lint: deps-test ## yamllint + ansible-lint (production profile)
	yamllint -s .
	ansible-lint

sanity: deps-test ## ansible-test sanity on a copy of the collection
	tests/harness/sanity.sh

unit: deps-test ## pytest unit tests (plugins, filters)
	pytest -q tests/unit

integration: deps-test ## controller-side playbook tests (validation, bundle, rendering)
	pytest -q tests/integration

galaxy: deps-test ## build the collection, install it, syntax-check from the installed copy
	tests/harness/galaxy.sh

harness: deps ## Debian packages, Docker engine, node images, test bundle (Molecule, sandbox)
	tests/harness/apt_deps.sh
	tests/harness/docker.sh
	tests/harness/node_image.sh
	tests/harness/test_bundle.sh

phase-plays: deps-test harness ## every phase playbook against a bare inventory (check mode, one node container)
	pytest -q tests/containers

molecule: deps-test harness ## every Molecule scenario (or SCENARIOS="a b")
	tests/harness/molecule.sh $(SCENARIOS)

sandbox: deps-test ## the cluster in containers on this machine (TOPOLOGY=ha|small BUNDLE=dir PHASES=a,b)
	sandbox/sandbox.sh up

sandbox-down: deps-test ## remove the sandbox containers, network and inventory
	sandbox/sandbox.sh down

sandbox-e2e: deps-test ## whole site.yml in the sandbox from BUNDLE=dir, checks, re-run, reset
	sandbox/sandbox.sh e2e

sandbox-test: deps-test harness ## sandbox up to the cluster phase from the test bundle, idempotent, then down
	tests/harness/sandbox_test.sh

EE_CONTEXT ?= build/ee
ee-context: deps-test ## execution environment build context in build/ee, checked (BUNDLE=dir: helm from the bundle)
	rm -rf $(EE_CONTEXT)
	ansible-builder create -f execution-environment.yml -c $(EE_CONTEXT) --output-filename Containerfile
	$(if $(BUNDLE),cp $(BUNDLE)/archives/helm-v*-linux-*.tar.gz $(EE_CONTEXT)/_build/tools/)
	EE_CONTEXT=$(EE_CONTEXT) pytest -q tests/awx/test_ee_context.py
	@echo "ee-context: build the image with: podman build -t aiinfra/k8s-ee:0.1.0 $(EE_CONTEXT)"

runner-test: deps-test harness ## validate.yml and site.yml (preflight,nodes,lb) through ansible-runner, as AWX runs them
	pytest -q tests/awx/test_runner.py

bench: deps-test ## site.yml cold and no-op in the sandbox, per phase (BUNDLE=dir EXTRA_VARS=f SCALE=N; not in make test)
	$(BIN)/python tests/harness/bench.py

bench-kubespray: deps-test ## Kubespray's preinstall vs our host layer on fresh sandbox nodes (KUBESPRAY=checkout ROWS=...; not in make test)
	$(BIN)/python tests/harness/bench_kubespray.py

test: ## everything CI runs: lint sanity unit integration galaxy | molecule sandbox-test, two lanes side by side
	MAKE="$(MAKE)" tests/harness/test_all.sh

clean: ## remove the virtualenv and test outputs
	rm -rf $(VENV) tests/output build .pytest_cache
