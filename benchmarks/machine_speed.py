"""How fast this machine runs plain Python right now, printed beside the
benchmarks' figures.

The 2-core VM the project is measured on changes speed by up to two times
from one hour to the next, and slows down under sustained load (issue 15:
the same build code gave a four-quarter validation of 5,7 s and of 13,2 s on
one day). A figure means little without the speed it was taken at, so each
benchmark run prints this probe before and after it: the CPU time of a fixed
pure-Python loop of 10.000.000 additions in a function. Compare it between
runs: a run whose probe took longer ran on a slower machine.
"""
from __future__ import annotations

import time

ADDITIONS = 10_000_000


def probe() -> float:
    """CPU seconds this process takes for :data:`ADDITIONS` integer additions."""
    t = time.process_time()
    total = 0
    for i in range(ADDITIONS):
        total += i
    return time.process_time() - t


def line(when: str) -> str:
    """One printable line: the probe's time, labelled ``when``."""
    return f"machine speed {when}: {ADDITIONS:,} additions in {probe():.2f} s (lower is faster)"
