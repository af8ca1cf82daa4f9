"""Stage: Great Expectations over every input of every quarter."""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path

from .cache import Cache, _sha, dir_digest, package_digest
from .discovery import quarter_digest
from .options import BuildOptions, InvalidInputError


# --------------------------------------------------------------------------- stage: validate
@dataclass
class Verdict:
    quarter: str
    ok: bool
    errors: int
    warnings: int
    quality: dict
    report: str
    first_error: str = ""  # PRIVATE (terminal, report): may name files and paths
    public_reason: str = ""  # for public pages: the broken rule in words, which data it concerns; no paths
    digest: str = ""  # quarter_digest of exactly the bytes this verdict is about


@dataclass
class Lookup:
    """The cached verdicts of a build's quarters and the quarters to check."""
    verdicts: dict  # quarter -> Verdict from the cache
    todo: list  # (quarter, cache key, digest of its files) of each quarter to check
    rules: str  # digest of the package and the plan: part of every key

    @property
    def digests(self) -> dict[str, str]:
        """quarter -> digest of its files, as looked up."""
        return {q: v.digest for q, v in self.verdicts.items()} | {q: d for q, _, d in self.todo}


def look_up(opts: BuildOptions, quarters: list[str], cache: Cache) -> Lookup:
    """Which quarters have a verdict in the cache for exactly their files,
    the package and the plan; the others are to be checked."""
    rules = _sha(package_digest(), dir_digest(opts.plan_dir))
    verdicts: dict[str, Verdict] = {}
    todo = []
    for q in quarters:
        digest = quarter_digest(opts, q)
        key = _sha("validate", rules, q, digest)  # the folder name is checked too
        hit = cache.get("validation", key)
        if hit is not None:
            hit.digest = digest
            verdicts[q] = hit
        else:
            todo.append((q, key, digest))
    return Lookup(verdicts, todo, rules)


def start_checking(opts: BuildOptions, lookup: Lookup) -> None:
    """Start the helper that loads Great Expectations for the suites, now,
    when a quarter is to be checked with ``opts.jobs`` > 1: the build calls
    this as soon as it knows its quarters, so the helper's 2 s of imports run
    while the build checks its plan and imports pandas (issue 15)."""
    if lookup.todo and opts.jobs > 1:
        from ..validation.parallel import start_helper

        start_helper()


def validate_quarters(opts: BuildOptions, quarters: list[str], cache: Cache,
                      on_miss=None, while_checking=None, lookup: Lookup | None = None
                      ) -> tuple[dict[str, Verdict], dict]:
    """Great Expectations over every input of every quarter (cached by content).

    Returns verdicts and, for quarters validated in this run, the loaded data
    (so compute does not read the files again). ``on_miss()`` is called once,
    before validating, when a quarter's verdict is not in the cache.
    ``while_checking(quarters, loaded, digests)`` is called while the suites
    run in worker processes (``opts.jobs`` > 1), when no quarter has failed so
    far: every quarter, the data read so far and the digests of the bytes read
    (see :class:`cchc.build.ahead.ComputeAhead`). ``lookup``: :func:`look_up`
    of the same quarters, when the caller already made it (the files' digests
    are checked again after validation either way).
    """
    lookup = lookup if lookup is not None else look_up(opts, quarters, cache)
    verdicts: dict[str, Verdict] = dict(lookup.verdicts)
    loaded: dict = {}
    todo = list(lookup.todo)
    if todo:
        from .. import validation

        start_checking(opts, lookup)  # Great Expectations loads in a helper while the files are read here
        if on_miss is not None:
            on_miss()

        def waiting(partial) -> None:  # the quarters being checked, their suites still running
            if while_checking is None or not all(v.ok for v in verdicts.values()):
                return
            if not all(qv.ok and qv.data is not None for qv in partial):
                return
            while_checking(list(quarters), {q: qv.data for (q, _, _), qv in zip(todo, partial)}, lookup.digests)

        store = (cache, lookup.rules)
        for (q, key, digest), result in zip(todo, _validate_each(opts, [t[0] for t in todo], store, waiting)):
            if quarter_digest(opts, q) != digest:
                raise changed_error(q, "trong khi đang kiểm tra", "while they were being checked")
            verdict = Verdict(
                quarter=q, ok=result.ok, errors=result.errors, warnings=result.warnings,
                quality=validation.quality_summary(result), report=validation.format_report([result]),
                first_error=_first_error(result), public_reason=public_reason(result), digest=digest)
            cache.put("validation", key, verdict)
            verdicts[q] = verdict
            if result.ok and result.data is not None:
                loaded[q] = result.data
                cache.put("loaded", loaded_key(q, digest), result.data)  # a later build reads it from here
    return verdicts, loaded


def loaded_key(quarter: str, digest: str) -> str:
    """Cache key of a quarter's loaded data: the loader's code and contract
    (the package digest) and the digest of the files' bytes."""
    return _sha("loaded", package_digest(), quarter, digest)


def _validate_each(opts: BuildOptions, quarters: list[str], store: tuple | None = None, while_waiting=None) -> list:
    """``validate_quarter`` of each quarter, in order. With ``opts.jobs`` > 1
    the files are read in this process and the Great Expectations suites run
    in worker processes (:mod:`cchc.validation.parallel`), so this process
    never imports Great Expectations. ``store`` = (cache, salt): a file whose
    bytes, suite and parameters were already checked with the same code and
    plan reuses that outcome, so only changed files go through Great
    Expectations. ``while_waiting``: see
    :func:`cchc.validation.parallel.validate_quarters`."""
    from .. import validation
    from ..validation import outcomes, parallel

    # GE configures its own loggers on import; keep its INFO chatter out of the build log
    logging.getLogger("great_expectations").setLevel(logging.WARNING)
    folders = [opts.data_dir / q for q in quarters]
    if store is not None:  # suite outcomes per file, kept in the build cache
        outcomes.use_result_store(*store)
    try:
        if opts.jobs <= 1:
            return [validation.validate_quarter(f, opts.plan_dir) for f in folders]
        return parallel.validate_quarters(folders, opts.plan_dir, opts.jobs, while_waiting=while_waiting)
    finally:
        outcomes.use_result_store(None)


def _first_error(result) -> str:
    for f in result.failures:
        if f.level == "error":
            return f"{f.file}: {f.rule_vi} / {f.rule_en}"
    return ""


def changed_error(quarter: str, when_vi: str, when_en: str) -> InvalidInputError:
    return InvalidInputError(
        f"Tệp dữ liệu của quý {quarter} đã thay đổi {when_vi}; không công bố gì, hãy chạy lại khi đã chép xong tệp / "
        f"the data files of {quarter} changed {when_en}; nothing published, run the build again once the files "
        "are in place")


def public_reason(result) -> str:
    """Why a quarter is held back, for the public pages: the rule of its first
    error in plain Vietnamese and the kind of data concerned ("Danh sách hồ
    sơ TTHC"), never a file name, a path or a value."""
    from .. import contract

    labels = {n: spec.get("label_vi", n) for n, spec in contract.inputs().items()}
    for f in result.failures:
        if f.level == "error":
            stem = Path(str(f.file)).stem.lower() if f.file else ""
            what = labels.get(stem)
            return f"{what}: {f.rule_vi}" if what else f.rule_vi
    return ""


def held_back(verdicts: dict) -> dict[str, str]:
    """Quarter -> public reason, for every quarter that failed validation."""
    return {q: v.public_reason or "dữ liệu chưa đạt kiểm tra" for q, v in verdicts.items() if not v.ok}


def validation_report_path(opts: BuildOptions) -> Path:
    return opts.report_dir / "validation.txt"


def write_validation_report(opts: BuildOptions, verdicts: dict[str, Verdict]) -> Path:
    opts.report_dir.mkdir(parents=True, exist_ok=True)
    path = validation_report_path(opts)
    text = "\n\n".join(v.report for v in verdicts.values())
    path.write_text(text + "\n", encoding="utf-8")
    with open(opts.report_dir / "validation.json", "w", encoding="utf-8") as f:
        json.dump({q: v.quality for q, v in verdicts.items()}, f, ensure_ascii=False, indent=1, sort_keys=True,
                  default=str)
    return path
