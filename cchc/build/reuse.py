"""Stage helper of execute: a page whose inputs changed is not run again
when nothing it read changed.

A notebook's cache key names its whole context (:func:`cchc.build.execute.plan_jobs`),
so a changed survey file runs every site page again, the procedure pages
too, which do not show the survey. Each run in a warm kernel records which
parts of its context the notebook read (:mod:`cchc.reads`); the build keeps,
per page (notebook, package, quarter and title: :attr:`NotebookJob.reads_key`),
those parts, their digests and the output of that run. When a later build
finds the same digests in its own context file, the output of that run is the
page's output (same code, same data read: the same bytes).

A page that opened a file of the data or plan folders by itself, or read a
context other than its own, is never reused this way.
"""
from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from .cache import Cache

KIND = "notebook-reads"


@dataclass
class ReadRecord:
    paths: list  # what the notebook read (cchc.reads paths, JSON)
    digests: list  # their digests in that run's context
    output: str  # the cache key of that run's executed notebook ("notebooks")


class ContextFiles:
    """The context files of this build, each loaded once, and the digests of
    the parts read (:func:`cchc.reads.digests`), each computed once: many
    pages read the same parts."""

    def __init__(self):
        self._loaded: dict[str, object] = {}
        self._digests: dict[tuple[str, str], str] = {}

    def digests(self, path, parts: list[str]) -> list[str]:
        from .. import reads
        from ..context import load

        path = str(path)
        if path not in self._loaded:
            self._loaded[path] = load(path)
        todo = [p for p in dict.fromkeys(parts) if (path, p) not in self._digests]
        for p, d in zip(todo, reads.digests(self._loaded[path], todo)):
            self._digests[path, p] = d
        return [self._digests[path, p] for p in parts]


def reusable(cache: Cache, job, contexts: ContextFiles) -> Path | None:
    """The executed notebook of an earlier run of ``job``'s page that read
    exactly what this build's context holds, or None."""
    if not job.reads_key:
        return None
    rec = cache.get(KIND, job.reads_key)
    if not isinstance(rec, ReadRecord):
        return None
    out = cache.path("notebooks", rec.output, ".ipynb")
    if not out.exists():
        return None
    if contexts.digests(job.parameters["context_file"], rec.paths) != rec.digests:
        return None
    return out


def keep_as(cache: Cache, out: Path, key: str) -> Path:
    """``out`` also under the cache key ``key`` (a link, or a copy), so that the
    next build with the same inputs finds it at once."""
    target = cache.path("notebooks", key, ".ipynb")
    if target.exists():
        return target
    tmp = target.with_name(target.name + f".{os.getpid()}.tmp")
    try:
        os.link(out, tmp)
    except OSError:
        shutil.copyfile(out, tmp)
    os.replace(tmp, target)
    return target


def remember(cache: Cache, job, reads_file: Path, contexts: ContextFiles) -> None:
    """Keep what ``job``'s run read (``reads_file``, written by the kernel)
    with its digests in this build's context and the run's output key."""
    if not job.reads_key:
        return
    try:
        doc = json.loads(Path(reads_file).read_text(encoding="utf-8"))
        own = os.path.realpath(job.parameters["context_file"])
        ok = not doc["files"] and all(c == own for c in doc["contexts"])
        paths = [str(p) for p in doc["reads"]]
    except (OSError, ValueError, KeyError, TypeError):
        ok, paths = False, []
    if not ok:  # not reusable: no record, and none left from an earlier run
        cache.path(KIND, job.reads_key).unlink(missing_ok=True)
        return
    cache.put(KIND, job.reads_key, ReadRecord(paths, contexts.digests(job.parameters["context_file"], paths), job.key))
