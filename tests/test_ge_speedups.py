"""Issue 15: the Great Expectations kwargs helpers of cchc.validation.ge_speedups
give exactly what the originals give, for every expectation of every committed
suite, and a quarter validates to the same outcome with or without them."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture()
def originals_back():
    from cchc.validation import ge_speedups, outcomes, suite_run

    suite_run._gx()  # installs the speedups
    yield ge_speedups
    ge_speedups.install()
    outcomes._MEMO.clear()


def _suite_expectations():
    import great_expectations as gx

    out = []
    for path in sorted((ROOT / "expectations").glob("*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        suite = gx.ExpectationSuite(name=doc["name"], expectations=doc["expectations"])
        out += [(path.name, e) for e in suite.expectations]
    return out


def _helpers(e):
    keys = list(dict.fromkeys([*e.domain_keys, *e.success_keys, *e.configuration.kwargs, "no_such_kwarg"]))
    runtime = [None, {}, {"result_format": "COMPLETE"}, {"result_format": {"result_format": "SUMMARY",
                                                                            "partial_unexpected_count": 5}}]
    return (e._get_domain_kwargs(), e._get_success_kwargs(),
            {k: e._get_success_kwarg(k, "<default>") for k in keys},
            [e._get_runtime_kwargs(r) for r in runtime])


def test_helpers_equal_the_originals_on_every_committed_expectation(originals_back):
    import great_expectations
    from great_expectations.expectations.expectation import Expectation

    ge_speedups = originals_back
    assert great_expectations.__version__ == ge_speedups.FOR_VERSION  # else the speedups are not in use
    assert all(getattr(Expectation, n) is f for n, f in ge_speedups.REPLACEMENTS.items())
    exps = _suite_expectations()
    assert len(exps) > 150
    fast = [_helpers(e) for _, e in exps]
    ge_speedups.uninstall()
    assert all(getattr(Expectation, n) is not f for n, f in ge_speedups.REPLACEMENTS.items())
    slow = [_helpers(e) for _, e in exps]
    for (file, e), a, b in zip(exps, fast, slow):
        assert a == b, (file, e.expectation_type)


def test_a_quarter_validates_the_same_with_and_without(originals_back):
    from cchc.validation import outcomes as memo
    from cchc.validation import validate_quarter

    from great_expectations.execution_engine import pandas_execution_engine

    ge_speedups = originals_back
    outcomes = []
    for installed in (True, False):
        if not installed:
            ge_speedups.uninstall()
        # installed: no batch fingerprints; uninstalled: GE's own threshold (the bundled frames are fingerprinted)
        assert pandas_execution_engine.HASH_THRESHOLD == (0 if installed else 1e9)
        memo._MEMO.clear()
        qv = validate_quarter(ROOT / "data" / "2026Q4", ROOT / "data" / "plan")
        outcomes.append((qv.checks_evaluated, qv.checks_passed, [f.private_dict() for f in qv.failures],
                         json.dumps(qv.ge_results, sort_keys=True, default=str)))
    assert outcomes[0][0] > 200 and outcomes[0][2]  # the sample's deliberate catalogue warning is there
    assert outcomes[0] == outcomes[1]


def test_other_versions_are_left_alone(monkeypatch):
    import great_expectations
    from great_expectations.expectations.expectation import Expectation

    from cchc.validation import ge_speedups

    before = {n: getattr(Expectation, n) for n in ge_speedups.REPLACEMENTS}
    saved = dict(ge_speedups._ORIGINALS)
    ge_speedups._ORIGINALS.clear()
    monkeypatch.setattr(great_expectations, "__version__", "9.9.9")
    from great_expectations.execution_engine import pandas_execution_engine

    threshold = pandas_execution_engine.HASH_THRESHOLD
    try:
        assert ge_speedups.install() is False
        assert {n: getattr(Expectation, n) for n in ge_speedups.REPLACEMENTS} == before
        assert pandas_execution_engine.HASH_THRESHOLD == threshold
    finally:
        ge_speedups._ORIGINALS.update(saved)


def test_a_subclass_with_its_own_helpers_is_still_called(originals_back):
    """The replacements build the configuration once for a whole runtime
    call, but an expectation class that defines its own domain, success or
    single-kwarg helper gets it called, as with the originals."""
    import great_expectations as gx

    class ExpectOwnHelpersForTest(gx.expectations.ExpectColumnValuesToNotBeNull):
        def _get_domain_kwargs(self):
            return {**super()._get_domain_kwargs(), "own_domain": True}

        def _get_success_kwarg(self, key, default=None):
            return "own" if key == "catch_exceptions" else super()._get_success_kwarg(key, default)

    e = ExpectOwnHelpersForTest(column="MaHoSo")
    fast = (e._get_success_kwargs(), e._get_runtime_kwargs(), e._get_runtime_kwargs({"catch_exceptions": False}))
    assert fast[0]["own_domain"] and fast[1]["own_domain"] and fast[1]["catch_exceptions"] == "own"
    assert fast[2]["catch_exceptions"] is False
    originals_back.uninstall()
    assert fast == (e._get_success_kwargs(), e._get_runtime_kwargs(), e._get_runtime_kwargs({"catch_exceptions": False}))
