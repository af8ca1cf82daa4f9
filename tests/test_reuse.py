"""cchc.build.reuse: a page whose read parts did not change gives the output
of its earlier run; anything uncertain runs the notebook again."""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from cchc.build.cache import Cache
from cchc.build.execute import NotebookJob
from cchc.build.reuse import KIND, ContextFiles, keep_as, remember, reusable
from cchc.context import SiteContext, save

READ = json.dumps([["a", "results"], ["i", "2026Q1"], ["a", "breakdowns"], ["i", "procedures"]])


class Results:  # stands for cchc.indicators.QuarterResults
    def __init__(self, procedures, survey):
        self.breakdowns = {"procedures": procedures, "survey_factors": survey}


def context(tmp_path: Path, name: str, procedures: int, survey: int) -> Path:
    ctx = SiteContext(quarters=["2026Q1"], manifests={}, plan=None, quarter_pages=[], commit="t", quality={},
                      results={"2026Q1": Results(pd.DataFrame({"n": [procedures]}), pd.DataFrame({"n": [survey]}))})
    path = tmp_path / f"{name}.pkl"
    save(ctx, path)
    return path


def job(ctx_file: Path, key: str) -> NotebookJob:
    return NotebookJob("tra-cuu-thu-tuc", Path("procedures.ipynb"), {"context_file": str(ctx_file)}, "T", key,
                       "page-reads-key")


def executed(cache: Cache, key: str) -> Path:
    out = cache.path("notebooks", key, ".ipynb")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("{}", encoding="utf-8")
    return out


def reads_file(tmp_path: Path, ctx_file: Path, files: bool = False, contexts=None) -> Path:
    path = tmp_path / "reads.json"
    path.write_text(json.dumps({"contexts": contexts if contexts is not None else [str(ctx_file.resolve())],
                                "reads": [READ], "files": files}), encoding="utf-8")
    return path


def test_same_read_parts_give_the_earlier_output(tmp_path):
    cache = Cache(tmp_path / "cache")
    first = context(tmp_path, "first", procedures=5, survey=1)
    out = executed(cache, "key-1")
    remember(cache, job(first, "key-1"), reads_file(tmp_path, first), ContextFiles())
    # the survey changed (not read): the earlier output is the page's output
    second = context(tmp_path, "second", procedures=5, survey=2)
    assert reusable(cache, job(second, "key-2"), ContextFiles()) == out
    alias = keep_as(cache, out, "key-2")
    assert alias == cache.path("notebooks", "key-2", ".ipynb") and alias.read_text(encoding="utf-8") == "{}"
    # the procedures changed (read): run again
    third = context(tmp_path, "third", procedures=6, survey=1)
    assert reusable(cache, job(third, "key-3"), ContextFiles()) is None
    # the earlier output is gone from the cache: run again
    out.unlink()
    assert reusable(cache, job(second, "key-2"), ContextFiles()) is None


def test_a_page_that_read_data_files_or_another_context_is_not_kept(tmp_path):
    cache = Cache(tmp_path / "cache")
    ctx = context(tmp_path, "ctx", procedures=5, survey=1)
    executed(cache, "key-1")
    remember(cache, job(ctx, "key-1"), reads_file(tmp_path, ctx), ContextFiles())
    assert cache.path(KIND, "page-reads-key").exists()
    remember(cache, job(ctx, "key-1"), reads_file(tmp_path, ctx, files=True), ContextFiles())
    assert not cache.path(KIND, "page-reads-key").exists(), "an earlier record must not survive"
    remember(cache, job(ctx, "key-1"), reads_file(tmp_path, ctx, contexts=["/elsewhere/site.pkl"]),
             ContextFiles())
    assert not cache.path(KIND, "page-reads-key").exists()
    remember(cache, job(ctx, "key-1"), tmp_path / "missing.json", ContextFiles())
    assert not cache.path(KIND, "page-reads-key").exists()
    assert reusable(cache, job(ctx, "key-2"), ContextFiles()) is None
