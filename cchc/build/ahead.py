"""The figures of a build (revisions, results, small groups hidden, the
corrections log), and computing them while validation finishes.

With ``--jobs`` > 1, validation reads every file in the build's process and
then waits while the Great Expectations suites run in worker processes
(:mod:`cchc.validation.parallel`); after a change to one quarter that wait
is mostly the helper importing Great Expectations (issue 15: about 2 s,
during which the build's process had nothing to do). :class:`ComputeAhead` spends it
computing the figures from the data just read, as if every quarter being
checked will pass. They are used only when validation then passes every
quarter with exactly the bytes they were computed from; in any other case
(a quarter held back, the files replaced, an error on the way, which then
comes again in its place) the compute stage computes them as it always did.
Either way the figures are the same: :func:`compute_figures` of the same
quarters, data, plan and cache.
"""
from __future__ import annotations

from dataclasses import dataclass

from .cache import Cache, dir_digest
from .compute import compute_results, suppressed_results
from .integrity import RevisionLog, detect_revisions, revision_log
from .options import BuildOptions, log


@dataclass
class Figures:
    results: dict  # quarter -> indicator results, small groups hidden
    keys: dict  # quarter -> cache key of its results
    rev_log: RevisionLog
    plan: object  # the plan they were computed with (cchc.model.Plan)


def compute_figures(opts: BuildOptions, quarters: list[str], loaded: dict, cache: Cache, plan,
                    digests: dict[str, str]) -> Figures:
    """Row changes between the quarters' files (a mistake stops the build),
    the indicators of every quarter (latest row wins), small groups hidden,
    and the corrections log."""
    changes = detect_revisions(opts, quarters, loaded, cache, digests)
    results, keys = compute_results(opts, quarters, loaded, cache, plan, digests=digests)
    results = suppressed_results(results, keys, plan, cache)  # small groups never reach any output
    rev_log = revision_log(opts, quarters, loaded, cache, plan, results, changes, digests)
    return Figures(results, keys, rev_log, plan)


class ComputeAhead:
    """Called by validation while its suites run (``while_checking`` of
    :func:`cchc.build.validate.validate_quarters`) with the quarters, the data
    read and the digests of the bytes read; :meth:`take` gives the figures
    back only for the same quarters and digests."""

    def __init__(self, opts: BuildOptions, cache: Cache):
        self.opts, self.cache = opts, cache
        self._done: tuple | None = None

    def __call__(self, quarters: list[str], loaded: dict, digests: dict[str, str]) -> None:
        from ..plan import load_plan

        self._done = None
        plan = self._plan()  # before reading it
        try:
            figures = compute_figures(self.opts, list(quarters), dict(loaded), self.cache,
                                      load_plan(self.opts.plan_dir), dict(digests))
        except Exception as exc:  # noqa: BLE001 - the compute stage meets it again, in its place
            log.debug("computing ahead stopped: %s", exc)
            return
        self._done = (list(quarters), {q: digests[q] for q in quarters}, plan, figures)

    def _plan(self) -> str:
        return dir_digest(self.opts.plan_dir)

    def take(self, quarters: list[str], digests: dict[str, str]) -> Figures | None:
        """The figures computed ahead, if they were computed from exactly these
        quarters, bytes and plan (once); else None."""
        done, self._done = self._done, None
        if done is None or done[:3] != (list(quarters), {q: digests.get(q) for q in quarters}, self._plan()):
            return None
        return done[3]
