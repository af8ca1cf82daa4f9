"""Imported once by the helper process that the validation workers are forked
from (:mod:`cchc.validation.parallel`): Great Expectations, its context and
the committed suites are loaded there, so every worker starts with them
instead of paying about 1,8 s to import them itself."""
from __future__ import annotations

import gc
import logging

from .. import contract
from . import core  # noqa: F401 - what the workers run (core.run_suite_job)
from .suite_run import _gx, load_suite_doc

# GE configures its own loggers on import; keep its INFO chatter out of the build log
logging.getLogger("great_expectations").setLevel(logging.WARNING)
try:
    _gx()
    for _name in contract.inputs():
        load_suite_doc(_name)
except Exception:  # noqa: BLE001 - a worker meets the same error again and reports it
    pass
# what is loaded now stays: no collector passes over it in the workers (nor copies of its pages)
gc.freeze()
