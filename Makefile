# Two entry points (see README): `make site` and `make test`.
PY := .venv/bin/python
PIP := .venv/bin/pip

.PHONY: venv site test browser-deps clean hooks

.venv/.installed: requirements.txt pyproject.toml
	python3 -m venv .venv
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -r requirements.txt
	-git config core.hooksPath .githooks 2>/dev/null  # nbstripout pre-commit hook (see `make hooks`)
	touch $@

venv: .venv/.installed

site: venv
	$(PY) pipeline.py build

browser-deps:
	bash scripts/install-browser-deps.sh

test: venv browser-deps
	$(PY) -m pytest -n 2 --dist loadfile

clean: venv
	$(PY) pipeline.py clean

hooks:
	git config core.hooksPath .githooks
