"""Text (or a pickled value) kept between builds under a content digest: read
when present, else made, then written whole and renamed (a parallel process
never reads half a file). Used for the charts' drawings and figures
(:mod:`cchc.svg_cache`) and the fallback renderer's pages
(:func:`cchc.render.fallback.render_fallback`). Light on purpose: the
notebook kernels import it."""
from __future__ import annotations

import os
import pickle
from pathlib import Path
from typing import Any, Callable


def kept_text(path: Path, make: Callable[[], str]) -> str:
    """The text at ``path`` if it is there, else ``make()``, kept at ``path``.
    A store that cannot be written only costs the keeping, never the result."""
    path = Path(path)
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        pass
    text = make()
    _keep(path, text.encode("utf-8"))
    return text


def kept_value(path: Path, make: Callable[[], Any]) -> Any:
    """As :func:`kept_text` for a value, pickled. The folder is the build's
    own cache, which only the build writes."""
    path = Path(path)
    try:
        return pickle.loads(path.read_bytes())
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, ValueError):
        pass
    value = make()
    _keep(path, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
    return value


def _keep(path: Path, data: bytes) -> None:
    """``data`` written whole at ``path`` (a temporary file renamed); a store
    that cannot be written is left as it is."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        tmp.write_bytes(data)
        os.replace(tmp, path)
    except OSError:
        pass
