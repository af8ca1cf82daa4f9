"""The input contract (inputs.yaml) as Python objects."""
from __future__ import annotations

from functools import lru_cache
from importlib import resources

import yaml


# the contract is the project's own committed file: libyaml's safe loader when installed (same
# result as the pure-Python one, tested; a few hundred milliseconds less in every process)
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@lru_cache(maxsize=None)
def contract() -> dict:
    with resources.files(__package__).joinpath("inputs.yaml").open(encoding="utf-8") as f:
        return yaml.load(f, Loader=SAFE_LOADER)


def inputs() -> dict:
    """name -> input spec (``columns``, ``required``, ``label_vi``, ...)."""
    return contract()["inputs"]


def input_spec(name: str) -> dict:
    try:
        return inputs()[name]
    except KeyError:
        raise KeyError(f"unknown input {name!r}; known: {', '.join(inputs())}") from None


def columns(name: str) -> dict:
    return input_spec(name)["columns"]


def personal_data() -> dict:
    return contract()["personal_data"]


def limits() -> dict:
    """Size limits of the inputs (``max_cell_chars``, ``manifest_max_bytes``, …)."""
    return contract()["limits"]
