"""Rendering with the real ``quarto`` binary (Quarto 1.7+).

``quarto render`` runs inside the staging directory (so the staged
``_quarto.yml`` is the project file and its ``output-dir`` is used), nothing is
executed (``execute: enabled: false``), and the result is moved to ``out_dir``.
The shared post-processing (root links, search index) is done by
:func:`cchc.render.render`.

The site is rendered without Bootstrap (``theme: none``, ``minimal: true``
in ``_quarto.yml``): Bootstrap's CSS alone (500 KB) is over the 300 KB page
budget, and its icons, popper, tippy and navigation scripts are not used.
Quarto draws no navbar then, so :func:`write_chrome` first puts the page
template (``cchc/templates/quarto/page.html``, the fallback's layout) and the
site header and footer — the fallback's own macros
(``cchc/templates/chrome.html.j2``) with links from the site root — into the
staging project, where ``format.html.template`` and ``template-partials``
name them.
"""
from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path

from cchc.render.config import load_site_config
from cchc.render.fallback import TEMPLATES, footer_context, jinja_env, nav_context

log = logging.getLogger("cchc.render")


class QuartoError(RuntimeError):
    pass


PAGE_TEMPLATE = "_partials/quarto-page.html"          # format.html.template
HEADER_PARTIAL = "_partials/site-header.html"         # format.html.template-partials
FOOTER_PARTIAL = "_partials/site-footer.html"


def write_chrome(staging: Path) -> None:
    """The Quarto page template and its header/footer partials, into ``staging``."""
    staging = Path(staging)
    cfg = load_site_config(staging)
    chrome = jinja_env().get_template("chrome.html.j2").module
    header = chrome.site_header(cfg.title, "/index.html", nav_context(cfg.nav_left + cfg.nav_right, "/", ""))
    footer = chrome.site_footer(footer_context(cfg))
    (staging / "_partials").mkdir(exist_ok=True)
    for rel, html in ((HEADER_PARTIAL, header), (FOOTER_PARTIAL, footer)):
        # a partial is a pandoc template: a literal "$" is written "$$"
        (staging / rel).write_text(str(html).strip().replace("$", "$$") + "\n", encoding="utf-8")
    shutil.copyfile(TEMPLATES / "quarto" / "page.html", staging / PAGE_TEMPLATE)


def quarto_binary() -> str | None:
    return shutil.which("quarto")


def quarto_version(binary: str | None = None) -> str | None:
    binary = binary or quarto_binary()
    if not binary:
        return None
    try:
        out = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return out.stdout.strip() or None


def render_with_quarto(staging: Path, out_dir: Path, timeout: float = 1800) -> None:
    staging, out_dir = Path(staging).resolve(), Path(out_dir).resolve()
    binary = quarto_binary()
    if not binary:
        raise QuartoError("quarto binary not on PATH")
    cfg = load_site_config(staging)
    write_chrome(staging)
    produced = staging / cfg.output_dir
    if produced.exists():
        shutil.rmtree(produced)
    env = dict(os.environ)
    env.setdefault("QUARTO_PYTHON", sys.executable)   # never needed to execute, but keeps quarto quiet
    cmd = [binary, "render", "--no-execute"]
    log.info("running %s in %s", " ".join(cmd), staging)
    try:
        proc = subprocess.run(cmd, cwd=staging, env=env, capture_output=True, text=True,
                              timeout=timeout)
    except subprocess.TimeoutExpired as e:
        raise QuartoError(f"quarto render timed out after {timeout:.0f} s") from e
    if proc.returncode != 0:
        tail = "\n".join((proc.stderr or proc.stdout or "").strip().splitlines()[-40:])
        raise QuartoError(f"quarto render failed (exit {proc.returncode}):\n{tail}")
    if proc.stderr.strip():
        log.debug("quarto stderr:\n%s", proc.stderr.strip())
    if not produced.is_dir():
        raise QuartoError(f"quarto render produced no {cfg.output_dir}/ in {staging}")
    if out_dir.exists():
        out_dir.rmdir()          # render() guarantees it is empty
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(str(produced), str(out_dir))
