"""Run Python code in a fresh process of this interpreter, from the project
root, and read the JSON it prints last: for what only a new process shows
(what an import loads, what a process starts with)."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_json(code: str, *args: str, timeout: float = 300):
    """``python -c code args…``; fails the test with the end of its stderr
    unless it exits 0; returns the JSON of its last line of output."""
    r = subprocess.run([sys.executable, "-c", code, *map(str, args)], capture_output=True, text=True, cwd=ROOT,
                       timeout=timeout)
    assert r.returncode == 0, r.stderr[-3000:]
    return json.loads(r.stdout.strip().splitlines()[-1])
