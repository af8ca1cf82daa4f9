"""Provenance of a build: which code, plan and data made the published figures.

Two guarantees (issue 10):

* **The committed plan.** The targets and tasks a build computes are those of
  the repository's ``data/plan/`` — verified on every build against
  ``data/plan/source/`` (:func:`cchc.plan.verify_plan`) and against git (no
  uncommitted change). A ``--data DIR`` that brings its own ``plan/`` folder is
  refused; another plan is used only when asked for explicitly
  (``--plan DIR``), and then every page's provenance line says so
  (:func:`plan_note`).
* **An honest "+".** The commit shown on every page gets a ``+`` when any
  input of the build is not exactly a committed file: code, contract and
  suites, notebooks, pages, assets, the plan and the quarter data (data
  outside the repository, or ignored by git, is never committed).
"""
from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COMMITTED_PLAN_DIR = ROOT / "data" / "plan"

#: Inputs of every build besides the data and the plan (paths in the repository).
CODE_INPUTS = ("cchc", "expectations", "notebooks", "pages", "assets", "_quarto.yml", "pipeline.py",
               "requirements.txt", "pyproject.toml")
UNKNOWN = "không rõ"


class PlanChoiceError(ValueError):
    """The plan a build would use is not the committed one and was not asked for."""


def _git(*args: str) -> subprocess.CompletedProcess | None:
    try:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.SubprocessError):
        return None


def _inside_repo(path: Path) -> str | None:
    try:
        return str(Path(path).resolve().relative_to(ROOT))
    except ValueError:
        return None


def _changed(paths: list[str], *, ignored: bool) -> bool | None:
    """Whether git sees any change (staged, unstaged, untracked; with
    ``ignored`` also ignored files) under ``paths``; None without git."""
    args = ["status", "--porcelain", "--untracked-files=all"] + (["--ignored=matching"] if ignored else [])
    r = _git(*args, "--", *paths)
    if r is None or r.returncode != 0:
        return None
    return bool(r.stdout.strip())


def source_state(data_dir: Path, plan_dir: Path = COMMITTED_PLAN_DIR) -> str:
    """Short commit of HEAD, with ``+`` when any input of the build differs
    from it (see the module docstring); ``"không rõ"`` without git."""
    head = _git("rev-parse", "--short=10", "HEAD")
    if head is None or head.returncode != 0:
        return UNKNOWN
    dirty = bool(_changed(list(CODE_INPUTS), ignored=False))
    for folder in (plan_dir, data_dir):
        rel = _inside_repo(folder)
        if rel is None or rel in ("", "."):
            dirty = True  # not in the repository: not committed
        elif _changed([rel], ignored=True):
            dirty = True
    return head.stdout.strip() + ("+" if dirty else "")


def plan_uncommitted(plan_dir: Path = COMMITTED_PLAN_DIR) -> bool:
    """The repository's plan folder has changes git has not committed (False without git)."""
    rel = _inside_repo(plan_dir)
    return bool(rel and _changed([rel], ignored=True))


def plan_tables_digest(plan_dir: Path) -> str:
    """Digest of what a build reads from a plan folder (its three tables)."""
    h = hashlib.sha256()
    for name in ("targets.csv", "tasks.csv", "units.csv"):
        p = Path(plan_dir) / name
        h.update(name.encode() + b"\0" + (p.read_bytes() if p.is_file() else b"-") + b"\0")
    return h.hexdigest()


def plan_note(plan_dir: Path, explicit: bool) -> str:
    """The provenance words for the plan: empty for the committed plan (or an
    explicit ``--plan`` identical to it), else a sentence naming the plan by a
    short digest (never by its path, which is private)."""
    if not explicit or plan_tables_digest(plan_dir) == plan_tables_digest(COMMITTED_PLAN_DIR):
        return ""
    return (f"Tính theo kế hoạch khác với Kế hoạch CCHC đã ban hành (mã {plan_tables_digest(plan_dir)[:8]}), "
            "không phải số liệu chính thức")


def check_plan_choice(data_dir: Path, explicit_plan: Path | None) -> None:
    """Refuse a data folder that brings its own ``plan/`` unless the plan was
    chosen explicitly."""
    own = Path(data_dir) / "plan"
    if explicit_plan is None and own.is_dir() and own.resolve() != COMMITTED_PLAN_DIR.resolve():
        raise PlanChoiceError(
            f"Thư mục dữ liệu có kế hoạch riêng ({own}); bản dựng chỉ tính theo Kế hoạch đã ban hành "
            f"({COMMITTED_PLAN_DIR}). Muốn tính theo kế hoạch khác, chỉ rõ --plan {own} (mọi trang sẽ ghi rõ điều "
            f"đó) hoặc xóa thư mục này / the data folder brings its own plan ({own}); a build uses only the "
            f"committed plan. To use another plan pass --plan {own} explicitly (every page will say so) or remove "
            "that folder")
