"""Issue 15: Great Expectations' unused import of scipy.stats is
deferred in a validation process, and still work in full when used."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = r"""
import json, sys
from cchc.validation import suite_run
suite_run._gx()
state = {n: type(sys.modules[n]).__name__ for n in ("scipy.stats",)}
import altair as alt
import pandas as pd
from scipy import stats
spec = alt.Chart(pd.DataFrame({"a": [1, 2]})).mark_bar().encode(x="a:Q").to_dict()
entropy = round(float(stats.entropy([0.5, 0.5], [0.9, 0.1])), 4)
print(json.dumps({"before": state, "after": {n: type(sys.modules[n]).__name__ for n in ("scipy.stats",)},
                  "mark": spec["mark"]["type"] if isinstance(spec["mark"], dict) else spec["mark"],
                  "entropy": entropy}))
"""


def test_ge_start_defers_what_it_never_uses_and_it_still_works():
    r = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    out = json.loads(r.stdout.strip().splitlines()[-1])
    assert out["before"] == {"scipy.stats": "_LazyModule"}  # not executed by GE's import
    assert out["after"] == {"scipy.stats": "module"}  # loaded in full on first use
    assert out["mark"] == "bar" and out["entropy"] == 0.5108


def test_defer_is_a_no_op_for_imported_or_missing_modules():
    from cchc import lean_imports

    import json as already

    lean_imports.defer("json")
    assert sys.modules["json"] is already
    lean_imports.defer("no_such_module_cchc")
    assert "no_such_module_cchc" not in sys.modules
