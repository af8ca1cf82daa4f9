"""Issue 15: Great Expectations' unused imports are deferred in a validation
process, and still work in full when used; the validation helper starts
without waiting for pandas; the build's own process never compiles the IRI
grammar."""
from __future__ import annotations

import json
import sys

from child_process import run_json as _child


KINDS = "{n: type(sys.modules.get(n)).__name__ for n in NAMES}"

GE_PROCESS = r"""
import json, sys
NAMES = ("scipy.stats", "altair", "asyncio", "isoduration", "rfc3987_syntax")
from cchc.validation import suite_run
suite_run._gx()
before = %s
import altair as alt
import pandas as pd
from scipy import stats
spec = alt.Chart(pd.DataFrame({"a": [1, 2]})).mark_bar().encode(x="a:Q").to_dict()
entropy = round(float(stats.entropy([0.5, 0.5], [0.9, 0.1])), 4)
print(json.dumps({"before": before, "after": %s,
                  "mark": spec["mark"]["type"] if isinstance(spec["mark"], dict) else spec["mark"],
                  "entropy": entropy}))
""" % (KINDS, KINDS)


def test_ge_start_defers_what_it_never_uses_and_it_still_works():
    out = _child(GE_PROCESS)
    # scipy.stats is deferred in every GE process; altair and asyncio only in the helper
    assert out["before"]["scipy.stats"] == "DeferredModule"  # not executed by GE's import
    assert out["before"]["altair"] == "module" and out["before"]["asyncio"] == "module"
    # jsonschema's checkers for formats that no schema here uses are absent
    assert out["before"]["isoduration"] == "NoneType" and out["before"]["rfc3987_syntax"] == "NoneType"
    assert out["after"]["scipy.stats"] == "module"  # loaded in full on first use
    assert out["mark"] == "bar" and out["entropy"] == 0.5108


HELPER = r"""
import json, sys
NAMES = ("altair", "asyncio", "jsonschema")
import cchc.validation.preload
before = %s
import altair as alt  # a plain import binds the deferred module without running it
bound = %s
import asyncio
from asyncio import sleep  # a from-import loads it
loop = asyncio.new_event_loop()
value = loop.run_until_complete(asyncio.sleep(0, result=7))
loop.close()
spec = alt.Chart({"values": [{"a": 1}]}).mark_point().encode(x="a:Q").to_dict()
# jsonschema as GE's JSON-schema metric module holds it (loaded in full by altair above) works
from great_expectations.expectations.metrics.column_map_metrics import column_values_match_json_schema as m
in_ge = m.jsonschema is sys.modules["jsonschema"]
schema = {"properties": {"a": {"type": "integer"}}}
m.jsonschema.validate({"a": 1}, schema)
try:
    m.jsonschema.validate({"a": "x"}, schema)
    ok = [in_ge, False]
except m.jsonschema.ValidationError:
    ok = [in_ge, True]
print(json.dumps({"before": before, "bound": bound, "after": %s, "value": value, "schema": ok,
                  "has_version": isinstance(alt.__version__, str), "mark": spec["mark"]["type"]
                  if isinstance(spec["mark"], dict) else spec["mark"]}))
""" % (KINDS, KINDS, KINDS)


def test_validation_helper_defers_altair_asyncio_and_jsonschema_until_used():
    out = _child(HELPER)
    assert out["before"] == {"altair": "DeferredModule", "asyncio": "DeferredModule", "jsonschema": "DeferredModule"}
    assert out["bound"] == {"altair": "DeferredModule", "asyncio": "DeferredModule", "jsonschema": "DeferredModule"}
    assert out["after"] == {"altair": "module", "asyncio": "module", "jsonschema": "module"}
    assert out["value"] == 7 and out["has_version"] and out["mark"] == "point"
    assert out["schema"] == [True, True]  # the bad value caught by jsonschema itself


def test_starting_the_validation_helper_does_not_import_pandas():
    out = _child(r"""
import json, sys
import cchc.build, cchc.validation, cchc.validation.parallel
from pathlib import Path
from cchc.build import discover_quarters
discover_quarters(Path("data"))
light = "pandas" not in sys.modules and "numpy" not in sys.modules
from cchc.validation import quality_summary, validate_quarter  # the public names load on first use
print(json.dumps({"light": light, "loaded": callable(validate_quarter) and callable(quality_summary),
                  "pandas": "pandas" in sys.modules}))
""")
    assert out == {"light": True, "loaded": True, "pandas": True}


def test_the_build_process_reads_notebooks_without_the_iri_grammar():
    """The build's process imports nbformat (papermill, nbclient, nbconvert),
    which imports jsonschema: importing cchc.build first keeps the unused IRI
    checker (a Lark grammar compiled at import) out, and notebooks are still
    validated against nbformat's schema."""
    out = _child(r"""
import json, sys
import cchc.build
import nbformat
nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1 + 1")])
nbformat.validate(nb)
bad = nbformat.from_dict({**nb, "cells": [{"cell_type": "code", "source": "x"}]})
try:
    nbformat.validate(bad)
    caught = False
except nbformat.ValidationError:
    caught = True
print(json.dumps({"iri": type(sys.modules.get("rfc3987_syntax")).__name__, "lark": "lark" in sys.modules,
                  "jsonschema": "jsonschema" in sys.modules, "caught": caught}))
""")
    assert out == {"iri": "NoneType", "lark": False, "jsonschema": True, "caught": True}


def test_defer_is_a_no_op_for_imported_or_missing_modules():
    from cchc import lean_imports

    import json as already

    lean_imports.defer("json")
    assert sys.modules["json"] is already
    lean_imports.defer("no_such_module_cchc")
    assert "no_such_module_cchc" not in sys.modules


def test_a_deferred_module_loads_once_on_first_attribute_use(tmp_path, monkeypatch):
    from cchc import lean_imports

    (tmp_path / "cchc_deferred_probe.py").write_text("RUNS = []\nRUNS.append(1)\nVALUE = 42\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "cchc_deferred_probe", raising=False)
    lean_imports.defer("cchc_deferred_probe")
    import cchc_deferred_probe as probe

    assert type(probe).__name__ == "DeferredModule"
    assert probe.__name__ == "cchc_deferred_probe"  # reading the name does not run it
    assert type(probe).__name__ == "DeferredModule"
    assert probe.VALUE == 42 and probe.RUNS == [1]
    assert type(probe) is type(json)  # an ordinary module from now on
    import cchc_deferred_probe as again

    assert again is probe and again.RUNS == [1]  # ran once
