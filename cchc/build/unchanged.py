"""Stage 0: nothing changed since the last build, so there is nothing to do.

A rebuild with nothing changed used to go through every stage with every
result coming from the cache (pandas, the figures, the contexts, the
reports, the executed notebooks) only to find the published site's
fingerprint equal and keep it: 0,7–1,4 s on the bundled data, most of it
importing pandas and reading the cached figures (issue 15).

After every successful build the build writes a stamp in its work folder,
``<work_dir>/last-build.json``. It names:

- ``inputs``: one digest of everything a build reads (:func:`inputs_digest`):
  every quarter's files, the package (source, contract, templates, and the
  installed libraries with their versions) and the
  plan as the validation cache's lookup found them, the rest of the data
  folder, the notebooks and ``pages.yml``, the pages,
  the assets, ``_quarto.yml``, the git state the pages print, the options
  that change the output and the renderer (for Quarto, which installation);
- ``releases``: the release log (``<data>/releases``) as the build left it
  (the build itself may add a release);
- ``site``: the fingerprint of the site it published or kept;
- ``outputs``: size and modification time of every file the build writes
  in its work folder (the validation report, the quarterly DOCX reports,
  the notebooks' contexts);
- what the summary reports (notebooks, the reports' warnings).

The next build computes the same digest before anything heavy is imported
and, when all of it is as the stamp says, keeps the site without loading
pandas: :func:`kept_build`. Anything different, missing or unreadable and
the build goes through every stage as before; a build that does not end
well removes the stamp first (:func:`forget`), so only a whole, published
build is ever trusted.
"""
from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from ..periods import is_quarter_id
from .cache import _sha, dir_digest, files_digest
from .options import NOTEBOOKS, ROOT, BuildOptions
from .publish import site_fingerprint
from .stage import renderer_identity

STAMP_FILE = "last-build.json"
STAMP_VERSION = 1
RELEASES = "releases"


@dataclass
class Kept:
    """What a kept build reports: the stamp's summary of the build that made the site."""
    notebooks: int
    report_warnings: list


def stamp_path(opts: BuildOptions) -> Path:
    return opts.work_dir / STAMP_FILE


def inputs_digest(opts: BuildOptions, quarter_digests: dict[str, str], rules: str, commit: str,
                  plan_note: str) -> str:
    """One digest of everything a build reads but the release log:
    ``quarter_digests`` and ``rules`` (the package's and the plan's digest),
    both as :func:`cchc.build.validate.look_up` found them, the other files
    of the data folder, the site's sources, the git state (``commit``,
    :func:`cchc.build.cache.git_commit`), the plan's provenance words and the
    options that change the output."""
    return _sha("inputs", STAMP_VERSION, sys.version, rules, sorted(quarter_digests.items()),
                _data_rest_digest(opts), str(opts.plan_dir), dir_digest(NOTEBOOKS), dir_digest(ROOT / "pages"),
                dir_digest(ROOT / "assets"), (ROOT / "_quarto.yml").read_bytes(), commit, plan_note,
                [opts.quarters, opts.keep_going, renderer_identity(opts.renderer)])


def _data_rest_digest(opts: BuildOptions) -> str:
    """The data folder without its quarter folders (digested one by one), the
    plan (in ``rules``) and the release log (which the build writes): the
    contact file and anything else put there."""
    files, folders = [], []
    for p in sorted(opts.data_dir.iterdir()):
        if p.is_dir():
            if not (is_quarter_id(p.name) or p.name == RELEASES or p.resolve() == opts.plan_dir.resolve()):
                folders.append((p.name, dir_digest(p)))
        elif p.is_file():
            files.append(p)
    return _sha(files_digest(files), folders)


def releases_digest(opts: BuildOptions) -> str:
    return dir_digest(opts.data_dir / RELEASES)


def _output_files(opts: BuildOptions) -> dict[str, list[int]]:
    """Size and modification time of each file a build writes in its work folder."""
    out = {}
    for folder in (opts.report_dir, opts.work_dir / "context"):
        if not folder.is_dir():
            continue
        for p in sorted(folder.iterdir()):
            if p.is_file():
                st = p.stat()
                out[str(p.relative_to(opts.work_dir))] = [st.st_size, st.st_mtime_ns]
    return out


def forget(opts: BuildOptions) -> None:
    """Remove the stamp: this build goes through the stages; until it ends
    well, nothing of the last build is trusted."""
    stamp_path(opts).unlink(missing_ok=True)


def remember(opts: BuildOptions, inputs: str, notebooks: int, report_warnings: list[str]) -> None:
    """Write the stamp after a build that published (or kept) the site."""
    stamp = {"version": STAMP_VERSION, "inputs": inputs, "releases": releases_digest(opts),
             "site": site_fingerprint(opts.site_dir), "outputs": _output_files(opts), "notebooks": notebooks,
             "report_warnings": list(report_warnings)}
    path = stamp_path(opts)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    tmp.write_text(json.dumps(stamp, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def kept_build(opts: BuildOptions, inputs: str) -> Kept | None:
    """The last build's summary when its stamp names exactly ``inputs``, the
    release log, the published site and the work folder's files as they are
    now; else None (the build goes through every stage)."""
    try:
        stamp = json.loads(stamp_path(opts).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(stamp, dict) or stamp.get("version") != STAMP_VERSION or stamp.get("inputs") != inputs:
        return None
    if stamp.get("site") is None or stamp.get("site") != site_fingerprint(opts.site_dir):
        return None
    if stamp.get("outputs") != _output_files(opts) or stamp.get("releases") != releases_digest(opts):
        return None
    try:
        return Kept(int(stamp["notebooks"]), [str(w) for w in stamp["report_warnings"]])
    except (KeyError, TypeError, ValueError):
        return None
