"""Stage: swap the rendered site in atomically, recover after a crash, and
hold one build at a time per site folder."""
from __future__ import annotations

import ctypes
import os
import shutil
from pathlib import Path

from .options import FINGERPRINT_FILE, LockedError, log


# --------------------------------------------------------------------------- stage: publish
_RENAME_EXCHANGE = 2


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths (Linux renameat2). False when unsupported."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError):
        return False
    AT_FDCWD = -100
    rc = fn(AT_FDCWD, os.fsencode(str(a)), AT_FDCWD, os.fsencode(str(b)), _RENAME_EXCHANGE)
    return rc == 0


def recover_site(site_dir: Path) -> None:
    """After a crash between the two renames of the non-atomic fallback,
    put the previous site back."""
    parent = site_dir.parent
    if not site_dir.exists():
        olds = sorted(parent.glob(f".{site_dir.name}.old-*"))
        if olds:
            os.replace(olds[-1], site_dir)
            log.warning("Đã khôi phục trang cũ / restored the previous site from %s", olds[-1])
    for stale in parent.glob(f".{site_dir.name}.old-*"):
        shutil.rmtree(stale, ignore_errors=True)
    for stale in parent.glob(f".{site_dir.name}.new-*"):
        shutil.rmtree(stale, ignore_errors=True)


def publish(new_dir: Path, site_dir: Path) -> None:
    """Replace ``site_dir`` by the complete ``new_dir`` in one atomic step."""
    if site_dir.exists():
        if _exchange(new_dir, site_dir):
            shutil.rmtree(new_dir)  # new_dir now holds the old site
            return
        old = site_dir.parent / f".{site_dir.name}.old-{os.getpid()}"
        os.replace(site_dir, old)
        os.replace(new_dir, site_dir)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(new_dir, site_dir)


def site_fingerprint(site_dir: Path) -> str | None:
    p = site_dir / FINGERPRINT_FILE
    return p.read_text(encoding="utf-8").strip() if p.exists() else None


# --------------------------------------------------------------------------- lock
class BuildLock:
    """One build at a time per site folder (a lock file beside it)."""

    def __init__(self, site_dir: Path):
        from filelock import FileLock

        site_dir.parent.mkdir(parents=True, exist_ok=True)
        self.path = site_dir.parent / f".{site_dir.name}.lock"
        self._lock = FileLock(str(self.path))

    def __enter__(self):
        from filelock import Timeout

        try:
            self._lock.acquire(timeout=0)
        except Timeout:
            raise LockedError(
                f"Một lần dựng khác đang chạy cho {self.path.parent} (khóa {self.path}); hãy đợi nó xong / "
                "another build is running for this site (lock held); wait for it to finish") from None
        return self

    def __exit__(self, *exc):
        self._lock.release()
