"""Check levels and rule texts, read from ``cchc/contract/checks.yaml``."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import yaml

LEVELS = ("error", "warning")


@dataclass(frozen=True)
class Check:
    id: str
    level: str
    rule_vi: str
    rule_en: str


@lru_cache(maxsize=None)
def all_checks() -> dict[str, Check]:
    with resources.files("cchc.contract").joinpath("checks.yaml").open(encoding="utf-8") as f:
        doc = yaml.safe_load(f)
    out = {}
    for cid, spec in doc["checks"].items():
        if spec.get("level") not in LEVELS:
            raise ValueError(f"checks.yaml: {cid}: level must be one of {LEVELS}, not {spec.get('level')!r}")
        for key in ("rule_vi", "rule_en"):
            if not str(spec.get(key) or "").strip():
                raise ValueError(f"checks.yaml: {cid}: {key} is missing")
        out[cid] = Check(cid, spec["level"], str(spec["rule_vi"]), str(spec["rule_en"]))
    return out


def check(cid: str) -> Check:
    try:
        return all_checks()[cid]
    except KeyError:
        raise KeyError(f"check id {cid!r} is not in cchc/contract/checks.yaml") from None
