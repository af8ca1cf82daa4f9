"""Rendering with the real ``quarto`` binary (Quarto 1.7+).

``quarto render`` runs inside the staging directory (so the staged
``_quarto.yml`` is the project file and its ``output-dir`` is used), nothing is
executed (``execute: enabled: false``), and the result is moved to ``out_dir``.
The shared post-processing (root links, search index) is done by
:func:`cchc.render.render`.
"""
from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path

from cchc.render.config import load_site_config

log = logging.getLogger("cchc.render")


class QuartoError(RuntimeError):
    pass


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
