"""Shared helpers of the browser tests (imported by conftest.py and the tests).

Browser tests: Playwright for Python driving Debian's Chromium, axe-core from npm.

Dependencies: /usr/bin/chromium and node_modules/axe-core (``make browser-deps``
= scripts/install-browser-deps.sh). Missing ones skip the tests with the reason
on a developer machine; with ``CI`` set they FAIL instead.

The site under test (session-wide, shared by pytest-xdist workers):
  1. ``CCHC_TEST_SITE=/path/to/site`` — an already built site
     (``CCHC_TEST_SITE=fixture`` forces 3.);
  2. else ``pipeline.py build --data data --site <tmp> --renderer R`` when
     pipeline.py supports it (the real sample build, a few minutes), where R
     is ``CCHC_TEST_RENDERER``: ``auto`` (default: Quarto when a ``quarto``
     binary is on PATH, else the fallback), ``quarto`` or ``fallback``. So
     the whole suite runs on the Quarto-rendered site with
     ``CCHC_TEST_RENDERER=quarto`` (it skips, saying why, without quarto);
  3. else the small fixture staging of tests/test_render.py rendered with the
     fallback renderer.
Pages are discovered at collection time so that every page is its own test id.
"""
from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
AXE_JS = REPO / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]

sys.path.insert(0, str(REPO / "tests"))


RENDERERS = ("auto", "quarto", "fallback")


def requested_renderer() -> str:
    r = os.environ.get("CCHC_TEST_RENDERER", "auto").strip().lower() or "auto"
    if r not in RENDERERS:
        raise RuntimeError(f"CCHC_TEST_RENDERER={r!r}: use one of {', '.join(RENDERERS)}")
    return r


def missing_deps() -> list[str]:
    missing = []
    if requested_renderer() == "quarto" and not os.environ.get("CCHC_TEST_SITE") and not shutil.which("quarto"):
        missing.append("a quarto binary on PATH (CCHC_TEST_RENDERER=quarto)")
    if not CHROMIUM.exists():
        missing.append(f"{CHROMIUM} (Debian package chromium)")
    if not AXE_JS.exists():
        missing.append(f"{AXE_JS.relative_to(REPO)} (npm ci)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("the playwright Python package")
    return missing


def require_deps() -> None:
    missing = missing_deps()
    if not missing:
        return
    msg = ("browser test dependencies missing: " + ", ".join(missing)
           + " — run `bash scripts/install-browser-deps.sh` (make browser-deps)")
    if os.environ.get("CI"):
        pytest.fail(msg + " [CI is set: missing dependencies fail instead of skipping]")
    pytest.skip(msg)


# ---------------------------------------------------------------- the site under test
@dataclass
class BuiltSite:
    path: Path
    kind: str            # "env", "pipeline" or "fixture"

    @property
    def is_fixture(self) -> bool:
        return self.kind == "fixture"

    @property
    def renderer(self) -> str:
        """"quarto" or "fallback": who rendered the site (Quarto writes its generator meta tag)."""
        html = (self.path / "index.html").read_text(encoding="utf-8")
        return "quarto" if '<meta name="generator" content="quarto' in html else "fallback"

    def pages(self) -> list[str]:
        from cchc.render.postprocess import html_pages
        return html_pages(self.path)


def _pipeline_supports_build() -> bool:
    pipeline = REPO / "pipeline.py"
    if not pipeline.exists():
        return False
    try:
        out = subprocess.run([sys.executable, str(pipeline), "build", "--help"], cwd=REPO,
                             capture_output=True, text=True, timeout=120)
    except (OSError, subprocess.TimeoutExpired):
        return False
    text = out.stdout + out.stderr
    return out.returncode == 0 and "--site" in text and "--data" in text


def _build(dest: Path) -> BuiltSite:
    env_site = os.environ.get("CCHC_TEST_SITE")
    site = dest / "site"
    if env_site == "fixture":
        return _build_fixture(dest)
    if env_site:
        p = Path(env_site).resolve()
        if not (p / "index.html").is_file():
            raise RuntimeError(f"CCHC_TEST_SITE={env_site} has no index.html")
        return BuiltSite(p, "env")
    if _pipeline_supports_build():
        proc = subprocess.run(
            [sys.executable, "pipeline.py", "build", "--data", "data", "--site", str(site),
             "--renderer", requested_renderer()],
            cwd=REPO, capture_output=True, text=True, timeout=1500,
        )
        if proc.returncode != 0 or not (site / "index.html").is_file():
            tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-40:])
            raise RuntimeError(f"pipeline.py build failed (exit {proc.returncode}):\n{tail}")
        return BuiltSite(site, "pipeline")
    return _build_fixture(dest)


def _build_fixture(dest: Path) -> BuiltSite:
    from test_render import build_fixture_staging
    from cchc.render import render

    staging = build_fixture_staging(dest / "staging")
    render(staging, dest / "site", renderer="fallback")
    return BuiltSite(dest / "site", "fixture")


@functools.lru_cache(maxsize=1)
def _shared_build(root: str) -> BuiltSite:
    """Build once per test run, shared across xdist workers through a file lock."""
    from filelock import FileLock

    root_p = Path(root)
    root_p.mkdir(parents=True, exist_ok=True)
    done = root_p / "built.txt"
    failed = root_p / "failed.txt"
    with FileLock(str(root_p / "build.lock")):
        if done.exists():
            kind, path = done.read_text(encoding="utf-8").split("\n", 1)
            return BuiltSite(Path(path.strip()), kind)
        if failed.exists():                      # another worker already tried: same error, no rebuild
            raise RuntimeError(failed.read_text(encoding="utf-8"))
        work = root_p / "work"
        if work.exists():
            shutil.rmtree(work)
        work.mkdir()
        try:
            built = _build(work)
        except Exception as e:
            failed.write_text(f"{type(e).__name__}: {e}", encoding="utf-8")
            raise
        done.write_text(f"{built.kind}\n{built.path}", encoding="utf-8")
        return built


def _shared_root(config) -> str:
    factory = getattr(config, "_tmp_path_factory", None)
    if factory is not None:
        base = factory.getbasetemp()
        # xdist workers get <run>/popen-gwN: share <run>/cchc-browser-site between them
        if os.environ.get("PYTEST_XDIST_WORKER"):
            base = base.parent
        return str(base / "cchc-browser-site")
    return tempfile.mkdtemp(prefix="cchc-browser-site-")


def built_site_for(config) -> BuiltSite:
    return _shared_build(_shared_root(config))
