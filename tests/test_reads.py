"""cchc.reads: what a page notebook reads of its context, and the digests the
build compares to reuse a page whose read parts did not change
(cchc.build.reuse)."""
from __future__ import annotations

import copy
import json
import pickle
from pathlib import Path

import pandas as pd
import pytest

from cchc import reads
from cchc.context import QuarterContext, SiteContext, save

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"


@pytest.fixture(scope="module")
def site() -> SiteContext:
    """The bundled quarters' site context, computed as the build does (no cache)."""
    from cchc import indicators, loader, suppression
    from cchc.plan import load_plan

    plan = load_plan(DATA / "plan")
    names = sorted(p.name for p in DATA.iterdir() if p.is_dir() and p.name.startswith("20"))
    loaded = {q: loader.load_quarter(DATA / q) for q in names}
    results = suppression.apply({q: indicators.compute_quarter(q, loaded, plan) for q in names}, plan)
    return SiteContext(quarters=names, manifests={q: loaded[q].manifest for q in names}, results=results,
                       quality={q: {"rows": len(loaded[q].df("ho_so"))} for q in names}, plan=plan,
                       quarter_pages=[], commit="test")


def recorded(tmp_path, ctx, read, folders=()) -> dict:
    """What ``read(tracked ctx)`` records, as :func:`reads.save` writes it."""
    file = tmp_path / "ctx.pkl"
    save(ctx, file)
    reads.start(folders)
    try:
        read(reads.watch(pickle.loads(file.read_bytes()), file))
    finally:
        reads.save(tmp_path / "reads.json")
    return json.loads((tmp_path / "reads.json").read_text(encoding="utf-8"))


def paths(doc) -> set[tuple]:
    return {tuple(tuple(step) for step in json.loads(p)) for p in doc["reads"]}


A, I, K, T = "a", "i", "k", "t"


def test_not_recording_leaves_the_context_as_it_is(site, tmp_path):
    assert reads.watch(site, tmp_path / "x.pkl") is site
    assert type(site) is SiteContext


def test_one_table_read_is_recorded_and_nothing_else(site, tmp_path):
    latest = site.quarters[-1]
    doc = recorded(tmp_path, site, lambda c: c.results[latest].breakdowns["procedures"])
    got = paths(doc)
    assert ((A, "results"), (I, latest), (A, "breakdowns"), (I, "procedures")) in got
    assert not any((A, "indicators") in p for p in got)
    assert not any(p[:2] == ((A, "results"), (I, site.quarters[0])) for p in got)
    assert doc["contexts"] == [str((tmp_path / "ctx.pkl").resolve())] and doc["files"] is False


def test_a_loop_over_a_mapping_records_its_keys_and_every_entry(site, tmp_path):
    got = paths(recorded(tmp_path, site, lambda c: [r.quarter for q, r in c.results.items()]))
    assert ((A, "results"), (K,)) in got
    for q in site.quarters:
        assert ((A, "results"), (I, q), (A, "quarter")) in got
    got = paths(recorded(tmp_path, site, lambda c: len(c.manifests)))
    assert ((A, "manifests"), (K,)) in got


def test_a_missing_entry_records_the_keys(site, tmp_path):
    def read(c):
        with pytest.raises(KeyError):
            c.results["2019Q1"]
        assert c.results.get("2019Q1") is None
        assert "2019Q1" not in c.quality

    got = paths(recorded(tmp_path, site, read))
    assert {((A, "results"), (K,)), ((A, "quality"), (K,))} <= got


@pytest.mark.parametrize("how", [copy.copy, copy.deepcopy, pickle.dumps, vars])
def test_copying_or_pickling_counts_as_reading_the_whole_object(site, tmp_path, how):
    latest = site.quarters[-1]
    got = paths(recorded(tmp_path, site, lambda c: how(c.results[latest])))
    assert ((A, "results"), (I, latest)) in got


def test_a_copy_made_while_recording_is_a_plain_object(site, tmp_path):
    def read(c):
        r = copy.deepcopy(c.results[c.quarters[-1]])
        assert type(r).__name__ == "QuarterResults"
        assert type(r.breakdowns) is dict

    recorded(tmp_path, site, read)


def test_quarter_context_reads(site, tmp_path):
    q = site.quarters[-1]
    ctx = QuarterContext(quarter=q, manifest=site.manifests[q], results=site.results[q],
                         previous=site.results[site.quarters[-2]], quality={}, plan=site.plan,
                         quarters=site.quarters, quarter_pages=[], commit="test")
    got = paths(recorded(tmp_path, ctx, lambda c: (c.results.indicators, c.previous.breakdowns["tasks"])))
    assert ((A, "results"), (A, "indicators")) in got
    assert ((A, "previous"), (A, "breakdowns"), (I, "tasks")) in got
    assert ((A, "results"), (A, "breakdowns"), (I, "tasks")) not in got


def test_opening_a_data_file_by_itself_is_noted(site, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "x.csv").write_text("a\n1\n", encoding="utf-8")
    (tmp_path / "other.txt").write_text("x", encoding="utf-8")
    doc = recorded(tmp_path, site, lambda c: (tmp_path / "other.txt").read_text(), folders=[data])
    assert doc["files"] is False
    doc = recorded(tmp_path, site, lambda c: pd.read_csv(data / "x.csv"), folders=[data])
    assert doc["files"] is True


def test_digests_change_with_what_was_read_only(site):
    latest, first = site.quarters[-1], site.quarters[0]
    read = [json.dumps([[A, "results"], [I, latest], [A, "breakdowns"], [I, "procedures"]]),
            json.dumps([[A, "results"], [K]])]
    before = reads.digests(site, read)
    other = copy.deepcopy(site)
    other.results[latest].indicators = other.results[first].indicators  # not read
    other.results[first].breakdowns["procedures"] = other.results[latest].breakdowns["procedures"]  # not read
    assert reads.digests(other, read) == before
    other.results[latest].breakdowns["procedures"] = site.results[first].breakdowns["procedures"].copy()
    assert reads.digests(other, read)[0] != before[0]
    del other.results[first]
    assert reads.digests(other, read)[1] != before[1]
    assert reads.digests(other, [json.dumps([[A, "results"], [I, first], [A, "indicators"]])]) == ["missing"]


def test_equal_tables_have_equal_digests_however_their_strings_are_shared():
    shared = "Cấp giấy phép"
    a = pd.DataFrame({"x": pd.array([shared, shared], dtype="string")})
    b = pd.DataFrame({"x": pd.array([shared, "".join(["Cấp giấy ", "phép"])], dtype="string")})
    assert pickle.dumps(a) != pickle.dumps(b)  # pickle's memo sees the sharing
    path = [json.dumps([])]
    assert reads.digests(a, path) == reads.digests(b, path)


# --------------------------------------------------------------------------- the real pages
PAGES = ["procedures.ipynb", "procedure_pages.ipynb", "methodology.ipynb", "trends_detail.ipynb"]


def run_page(notebook: str, ctx_file: Path, folders=None) -> list:
    """Execute the page notebook's cells here with ``context_file`` = ``ctx_file``
    (recording when ``folders`` is given); what it displays, as formatted."""
    import IPython.display
    from IPython.core.formatters import DisplayFormatter

    shown = []
    fmt = DisplayFormatter()
    real = IPython.display.display
    IPython.display.display = lambda obj, **kw: shown.append((fmt.format(obj)[0], kw.get("metadata")))
    nb = json.loads((ROOT / "notebooks" / notebook).read_text(encoding="utf-8"))
    ns = {"data_dir": str(DATA), "plan_dir": str(DATA / "plan"), "context_file": str(ctx_file)}
    if folders is not None:
        reads.start(folders)
    try:
        for cell in nb["cells"]:
            if cell["cell_type"] == "code" and "parameters" not in cell.get("metadata", {}).get("tags", []):
                exec("".join(cell["source"]), ns)
    finally:
        IPython.display.display = real
        if folders is not None:
            reads.save(ctx_file.with_suffix(".reads.json"))
    return shown


def mutations(site: SiteContext):
    """Other contexts: one part of ``site`` taken from another quarter."""
    latest, first = site.quarters[-1], site.quarters[0]

    def swap(edit):
        other = copy.deepcopy(site)
        edit(other)
        return other

    yield "indicators", swap(lambda c: setattr(c.results[latest], "indicators", c.results[first].indicators))
    yield "survey", swap(lambda c: c.results[latest].breakdowns.update(
        survey_factors=c.results[first].breakdowns["survey_factors"]))
    yield "procedures", swap(lambda c: c.results[latest].breakdowns.update(
        procedures=c.results[first].breakdowns["procedures"]))
    yield "manifest", swap(lambda c: c.manifests.update({latest: c.manifests[first]}))
    yield "quality", swap(lambda c: c.quality.update({latest: {"rows": -1}}))


def test_a_page_whose_read_parts_are_the_same_shows_the_same(site, tmp_path):
    """For every page and every changed context: when the digests of what the
    page read are unchanged, the page shows exactly the same (the recorder
    missed nothing it depends on); both outcomes occur."""
    base_file = tmp_path / "site.pkl"
    save(site, base_file)
    seen = {"same": 0, "changed": 0}
    for notebook in PAGES:
        shown = run_page(notebook, base_file, folders=[DATA])
        doc = json.loads(base_file.with_suffix(".reads.json").read_text(encoding="utf-8"))
        assert doc["files"] is False and doc["reads"], notebook
        before = reads.digests(site, doc["reads"])
        for name, other in mutations(site):
            if reads.digests(other, doc["reads"]) != before:
                seen["changed"] += 1
                continue
            seen["same"] += 1
            other_file = tmp_path / f"{name}.pkl"
            save(other, other_file)
            assert run_page(notebook, other_file) == shown, f"{notebook} changed with {name}"
    print(seen)
    assert seen["same"] >= 4 and seen["changed"] >= 4, seen


def test_a_followed_mapping_is_one_object_the_notebook_can_change(site, tmp_path):
    def read(c):
        assert c.results is c.results
        c.quality["2019Q1"] = {"rows": 1}  # a page changing its own context sees its change
        assert c.quality["2019Q1"] == {"rows": 1} and "2019Q1" in c.quality

    recorded(tmp_path, site, read)
