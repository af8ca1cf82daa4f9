"""The charts' drawings kept between builds.

Drawing a chart with vl-convert costs about 50 ms; a page of trends has
dozens, and most of them do not change when one quarter's file does. The
build gives its notebook kernels a folder (environment variable
:data:`SVG_CACHE_ENV`, set by :func:`cchc.build.execute.kernel_env`) where
each drawing is kept under a digest of everything it depends on: the
vl-convert and Vega-Lite versions, the locales and the Vega-Lite spec (with
its data). A drawing taken from there is byte for byte what vl-convert
returned for the same key. Without the variable (an analyst's Jupyter, the
tests) every chart is drawn. Like the notebook cache, the key does not name
the machine's fonts: after installing fonts, ``pipeline.py clean``.

Building a chart with altair before drawing it costs as much again (about
20 ms for a trend). When the build also gives the digest of the package's
code (:data:`CODE_ENV`), a whole figure is kept (:func:`figure`) under that
digest, the chart builder's name and arguments, and the versions of altair
and vl-convert: a rebuild whose trend data did not change takes each figure
from there without building or drawing it.
"""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Callable

from .textstore import kept_text, kept_value

SVG_CACHE_ENV = "CCHC_CHART_CACHE"
CODE_ENV = "CCHC_CHART_CODE"  # digest of the package's code (cchc.build.cache.package_digest)


def drawing(key, draw: Callable[[], str]) -> str:
    """``draw()``, or what it returned before for the same ``key`` (any
    JSON-serialisable value) when the drawings folder is set."""
    folder = os.environ.get(SVG_CACHE_ENV)
    if not folder:
        return draw()
    digest = hashlib.sha256(json.dumps(key, sort_keys=True, ensure_ascii=False, default=str)
                            .encode("utf-8")).hexdigest()
    return kept_text(Path(folder) / digest[:2] / f"{digest}.svg", draw)


def figure(what, make: Callable[[], object]):
    """``make()``, or what it returned before for the same ``what`` (a chart
    builder's name, arguments and library versions: anything picklable),
    when both the drawings folder and the code digest are set."""
    folder, code = os.environ.get(SVG_CACHE_ENV), os.environ.get(CODE_ENV)
    if not folder or not code:
        return make()
    from .digest import value_digest

    try:
        digest = value_digest((code, what))
    except Exception:  # noqa: BLE001 - arguments that cannot be pickled: not kept
        return make()
    return kept_value(Path(folder) / "figures" / digest[:2] / f"{digest}.pkl", make)
