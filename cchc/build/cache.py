"""Content hashes and the on-disk cache under ``.cache/``."""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from .. import __version__
from .options import ROOT


# --------------------------------------------------------------------------- hashing
def _sha(*parts) -> str:
    h = hashlib.sha256()
    for p in parts:
        if isinstance(p, bytes):
            h.update(p)
        else:
            h.update(json.dumps(p, sort_keys=True, default=str, ensure_ascii=False).encode())
        h.update(b"\0")
    return h.hexdigest()


def files_digest(paths) -> str:
    """Digest of files' relative names and bytes (order-independent)."""
    h = hashlib.sha256()
    for p in sorted(Path(x) for x in paths):
        h.update(p.name.encode() + b"\0")
        with open(p, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
        h.update(b"\0")
    return h.hexdigest()


def dir_digest(folder: Path, pattern: str = "*") -> str:
    if not folder.is_dir():
        return "missing"
    files = [p for p in folder.rglob(pattern) if p.is_file() and "__pycache__" not in p.parts]
    h = hashlib.sha256()
    for p in sorted(files):
        h.update(str(p.relative_to(folder)).encode() + b"\0" + p.read_bytes() + b"\0")
    return h.hexdigest()


def environment_digest() -> str:
    """The Python version and every installed distribution with its version:
    the names of the metadata folders in the site-packages folders
    (``pandas-3.1.1.dist-info``, ``pagefind_bin-1.5.2.dist-info``). Installing,
    upgrading or removing a library (Great Expectations, pandas, altair,
    vl-convert, Pagefind, …) changes it; reading the folder names costs about
    a millisecond, no metadata file is opened."""
    import site
    import sys

    folders = list(site.getsitepackages())
    if site.ENABLE_USER_SITE:
        folders.append(site.getusersitepackages())
    names = set()
    for folder in dict.fromkeys(folders):
        try:
            with os.scandir(folder) as entries:
                names.update(e.name for e in entries if e.name.endswith((".dist-info", ".egg-info")))
        except OSError:  # a folder that does not exist holds nothing
            continue
    return _sha(sys.version, sorted(names))


_PKG_DIGEST: str | None = None


def package_digest() -> str:
    """The package version plus a digest of its source, contract and
    templates, and of the libraries installed with it
    (:func:`environment_digest`): every cache key and the no-change stamp
    include it, so nothing made with other code or other libraries is reused."""
    global _PKG_DIGEST
    if _PKG_DIGEST is None:
        _PKG_DIGEST = _sha(__version__, dir_digest(ROOT / "cchc"), dir_digest(ROOT / "expectations"),
                           environment_digest())
    return _PKG_DIGEST


def git_commit(opts) -> str:
    """Short commit of HEAD, '+' when any input of the build (code, plan,
    notebooks, pages, data) is not exactly committed (cchc/provenance.py)."""
    from ..provenance import source_state

    return source_state(opts.data_dir, opts.plan_dir)


# --------------------------------------------------------------------------- cache
class Cache:
    """Pickled values and files under ``.cache/<kind>/<key>``, written atomically."""

    def __init__(self, root: Path):
        self.root = root

    def path(self, kind: str, key: str, suffix: str = ".pkl") -> Path:
        return self.root / kind / (key + suffix)

    def get(self, kind: str, key: str):
        import pickle

        p = self.path(kind, key)
        if not p.exists():
            return None
        try:
            with open(p, "rb") as f:
                return pickle.load(f)
        except Exception:  # a corrupt entry is a miss
            return None

    def put(self, kind: str, key: str, value) -> None:
        from ..context import save

        save(value, self.path(kind, key))


class CacheSet:
    """A set of keys kept in the cache (``in`` and ``add``): one empty file
    per key under ``.cache/<kind>/``, e.g. the open-data resources already
    found valid (:func:`cchc.datapackage.validate_datapackage`) or the pages
    already scanned clean of personal data
    (:func:`cchc.validation.scan_site_for_pii`)."""

    def __init__(self, cache: Cache, kind: str, salt: str = ""):
        self.cache, self.kind, self.salt = cache, kind, salt  # salt: e.g. the package digest

    def _path(self, key: str) -> Path:
        return self.cache.path(self.kind, _sha(self.salt, key) if self.salt else key, ".ok")

    def __contains__(self, key: str) -> bool:
        return self._path(key).exists()

    def add(self, key: str) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch()


def kept_files(cache: Cache | None, kind: str, key: str, dest: Path, write):
    """``write(folder)``'s return value, the files it wrote into ``folder``
    written under ``dest`` at the same relative paths. With ``cache``, both
    are kept under ``key`` and a later call with the same key only writes the
    kept files (``key`` must name everything the files are made from, the
    code included); without, ``write(dest)`` itself."""
    dest = Path(dest)
    if cache is None:
        return write(dest)
    kept = cache.get(kind, key)
    if kept is None:
        import tempfile

        cache.root.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix=f"{kind}-", dir=cache.root) as tmp:
            value = write(Path(tmp))
            files = {p.relative_to(tmp).as_posix(): p.read_bytes()
                     for p in sorted(Path(tmp).rglob("*")) if p.is_file()}
        kept = (value, files)
        cache.put(kind, key, kept)
    value, files = kept
    for rel, data in files.items():
        path = dest / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return value
