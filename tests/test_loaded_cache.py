"""Issue 15: a quarter whose verdict comes from the cache is not read again
when the data loaded from exactly those bytes is in the build cache; the
files are still hashed, so a file replaced after validation stops the build."""
from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "bad_inputs"))
import corpus  # noqa: E402


def test_cached_quarter_is_not_read_again_but_still_checked(tmp_path, monkeypatch):
    from cchc import build as b
    from cchc import loader
    from cchc.plan import load_plan

    data = tmp_path / "data"
    corpus.build_case("valid_template", data)
    opts = b.BuildOptions(data_dir=data, site_dir=tmp_path / "site", cache_dir=tmp_path / "cache")
    cache = b.Cache(opts.cache_dir)
    verdicts, loaded = b.validate_quarters(opts, ["2026Q3"], cache)
    assert verdicts["2026Q3"].ok
    digests = {"2026Q3": verdicts["2026Q3"].digest}
    plan = load_plan(opts.plan_dir)
    expected, _ = b.compute_results(opts, ["2026Q3"], dict(loaded), b.Cache(tmp_path / "c1"), plan, digests=digests)

    # a later build: the verdict and the loaded data come from the cache; reading the files would fail
    def no_reading(*a, **k):
        raise AssertionError("the quarter was read again")

    monkeypatch.setattr(loader, "load_quarter", no_reading)
    shutil.rmtree(opts.cache_dir / "results", ignore_errors=True)
    verdicts, loaded = b.validate_quarters(opts, ["2026Q3"], cache)
    assert loaded == {}
    got, _ = b.compute_results(opts, ["2026Q3"], {}, cache, plan, digests=digests)
    assert got["2026Q3"].indicators.equals(expected["2026Q3"].indicators)
    assert got["2026Q3"].indicators.to_csv() == expected["2026Q3"].indicators.to_csv()
    changes = b.detect_revisions(opts, ["2026Q3"], {}, cache, digests)
    assert not changes.mistakes

    # the same cache, but a file replaced after validation: refused, never computed
    shutil.rmtree(opts.cache_dir / "results", ignore_errors=True)
    ho_so = data / "2026Q3" / "ho_so.csv"
    ho_so.write_text(ho_so.read_text(encoding="utf-8").replace(",10,0,0,1,1,0", ",11,0,0,1,1,0"), encoding="utf-8")
    with pytest.raises(b.InvalidInputError) as e:
        b.compute_results(opts, ["2026Q3"], {}, cache, plan, digests=digests)
    assert e.value.exit_code == 2 and "changed after they were validated" in str(e.value)
    monkeypatch.undo()


def test_loaded_data_is_kept_under_the_files_digest(tmp_path):
    """Read from the files once (a verdict from another cache), the data is
    then kept; the key names the quarter, the bytes and the package."""
    from cchc import build as b
    from cchc.build.validate import loaded_key

    data = tmp_path / "data"
    corpus.build_case("valid_template", data)
    opts = b.BuildOptions(data_dir=data, site_dir=tmp_path / "site", cache_dir=tmp_path / "cache")
    cache = b.Cache(opts.cache_dir)
    digest = b.quarter_digest(opts, "2026Q3")
    assert cache.get("loaded", loaded_key("2026Q3", digest)) is None
    first = b.load_validated(opts, "2026Q3", digest, cache)
    kept = cache.get("loaded", loaded_key("2026Q3", digest))
    assert kept is not None and kept.folder == data / "2026Q3"
    assert kept.tables["ho_so"].df.equals(first.tables["ho_so"].df)
    assert loaded_key("2026Q3", digest) != loaded_key("2026Q3", "0" * 64) != loaded_key("2026Q2", digest)


def test_suppressed_results_are_kept_under_the_results_keys(tmp_path, monkeypatch):
    """Issue 15: small groups are hidden once per results version; the kept
    copy equals a fresh suppression.apply, and other results are hidden anew."""
    from cchc import build as b
    from cchc import suppression
    from cchc.build.compute import suppressed_results
    from cchc.plan import load_plan

    data = tmp_path / "data"
    corpus.build_case("valid_template", data)
    opts = b.BuildOptions(data_dir=data, site_dir=tmp_path / "site", cache_dir=tmp_path / "cache")
    cache = b.Cache(opts.cache_dir)
    verdicts, loaded = b.validate_quarters(opts, ["2026Q3"], cache)
    plan = load_plan(opts.plan_dir)
    results, keys = b.compute_results(opts, ["2026Q3"], loaded, cache, plan,
                                      digests={"2026Q3": verdicts["2026Q3"].digest})
    fresh = suppression.apply(results, plan)
    first = suppressed_results(results, keys, plan, cache)
    assert first["2026Q3"].indicators.to_csv() == fresh["2026Q3"].indicators.to_csv()

    def no_apply(*a, **k):
        raise AssertionError("hidden again")

    monkeypatch.setattr(suppression, "apply", no_apply)
    again = suppressed_results(results, keys, plan, cache)
    assert again["2026Q3"].indicators.to_csv() == fresh["2026Q3"].indicators.to_csv()
    with pytest.raises(AssertionError, match="hidden again"):
        suppressed_results(results, {"2026Q3": "other results"}, plan, cache)
