"""Warm kernels (cchc.build.warm): notebooks share a kernel yet each sees what
a fresh kernel would show it."""
from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest

from cchc import build as b
from cchc.build import warm

USER_NAMES = ("print(sorted(k for k in globals() if not k.startswith('_') "
              "and k not in ('In', 'Out', 'exit', 'quit', 'get_ipython', 'open')))")


def _notebook(path: Path, code: list[str]) -> Path:
    nb = nbformat.v4.new_notebook()
    p = nbformat.v4.new_code_cell("x = 1")
    p.metadata["tags"] = ["parameters"]
    nb.cells = [p] + [nbformat.v4.new_code_cell(c) for c in code]
    nb.metadata["kernelspec"] = {"name": "cchc", "display_name": "Python (cchc)", "language": "python"}
    nbformat.write(nb, path)
    return path


def _run_on_one_kernel(tmp_path: Path, notebooks: list[Path], workers: int = 1) -> tuple[list, list]:
    """Run the notebooks in order on ``workers`` warm kernels; (outcomes, kernel ids used)."""
    kernel = b.ensure_kernel()
    used = []

    def run(k, item):
        i, nb = item
        used.append(k.km.kernel_id)
        warm.run_notebook(k, str(nb), str(tmp_path / f"out{i}.ipynb"), {"x": 2}, kernel)

    outcomes = list(warm.run_all(list(enumerate(notebooks)), run, kernel, tmp_path, workers, tmp_path / "k.log"))
    return outcomes, used


def _cells(path: Path) -> list:
    return [(c.get("execution_count"), c.get("outputs")) for c in nbformat.read(path, as_version=4).cells]


def test_each_notebook_sees_a_fresh_namespace(tmp_path):
    polluter = _notebook(tmp_path / "a.ipynb", ["leak = 41\nimport json\nimport os\nos.chdir('/')", "6 * 7"])
    reader = _notebook(tmp_path / "b.ipynb", [USER_NAMES, "import os\nprint(os.getcwd())", "x * 21"])
    outcomes, used = _run_on_one_kernel(tmp_path, [polluter, reader])
    assert [o.error for o in outcomes] == [None, None]
    assert len(set(used)) == 1, "both notebooks ran on the same kernel"
    texts = json.dumps([c.get("outputs", []) for c in nbformat.read(tmp_path / "out1.ipynb", as_version=4).cells])
    assert "leak" not in texts and "json" not in texts
    assert "['x']" in texts  # only the injected parameter
    assert str(tmp_path) in texts  # back in the notebook's folder
    # byte for byte what a fresh kernel gives (execution counts restart at 1, same outputs)
    b._execute_one(str(reader), str(tmp_path / "fresh.ipynb"), {"x": 2}, b.ensure_kernel(), "t")
    b.set_front_matter(tmp_path / "out1.ipynb", "t")
    assert _cells(tmp_path / "out1.ipynb") == _cells(tmp_path / "fresh.ipynb")


def test_a_warning_shows_in_every_notebook_that_triggers_it(tmp_path):
    (tmp_path / "warner.py").write_text("import warnings\n\ndef f():\n    warnings.warn('careful, once per place')\n",
                                        encoding="utf-8")
    silencer = _notebook(tmp_path / "s.ipynb", ["import warnings\nwarnings.simplefilter('ignore')"])
    nb = _notebook(tmp_path / "w.ipynb", ["import warner\nwarner.f()"])
    outcomes, used = _run_on_one_kernel(tmp_path, [silencer, nb, nb])
    assert [o.error for o in outcomes] == [None, None, None] and len(set(used)) == 1
    for i in (1, 2):  # the filter of the first notebook did not carry over, nor the "already shown" mark
        assert "careful, once per place" in json.dumps(nbformat.read(tmp_path / f"out{i}.ipynb", as_version=4).cells[-1].outputs)


def test_a_kernel_that_dies_is_replaced(tmp_path):
    dies = _notebook(tmp_path / "dies.ipynb", ["import os\nos._exit(3)"])
    fine = _notebook(tmp_path / "fine.ipynb", ["print(x * 21)"])
    outcomes, used = _run_on_one_kernel(tmp_path, [dies, fine])
    assert outcomes[0].error is not None and outcomes[1].error is None
    assert len(set(used)) == 2
    assert "42" in json.dumps(nbformat.read(tmp_path / "out1.ipynb", as_version=4).cells[-1].outputs)


@pytest.mark.parametrize("workers", [2])
def test_parallel_kernels_share_the_work(tmp_path, workers):
    nbs = [_notebook(tmp_path / f"n{i}.ipynb", ["import time\ntime.sleep(0.5)\nprint(x)"]) for i in range(4)]
    outcomes, used = _run_on_one_kernel(tmp_path, nbs, workers=workers)
    assert all(o.error is None for o in outcomes)
    assert len(set(used)) == 2


def test_warm_kernels_keep_no_shared_history_database(tmp_path):
    """Parallel kernels writing one history.sqlite failed with "database is
    locked"; a warm kernel keeps its history in memory."""
    nb = _notebook(tmp_path / "h.ipynb", ["print(get_ipython().history_manager.hist_file)"])
    outcomes, _ = _run_on_one_kernel(tmp_path, [nb, nb])
    assert [o.error for o in outcomes] == [None, None]
    assert ":memory:" in json.dumps(nbformat.read(tmp_path / "out1.ipynb", as_version=4).cells[-1].outputs)


def test_kernels_started_ahead_run_the_notebooks_given_later(tmp_path):
    """Issue 15: a KernelPool starts its kernels before the notebooks are
    known (the build starts it while validation runs); the notebooks given
    later run on those kernels, each one still in a fresh namespace, with
    one kernel client per kernel; an unused pool closes cleanly."""
    kernel = b.ensure_kernel()
    idle = warm.KernelPool(kernel, tmp_path, 1, tmp_path / "idle.log")
    idle.close()
    pool = warm.KernelPool(kernel, tmp_path, 2, tmp_path / "k.log", env={**__import__("os").environ, "CCHC_X": "7"},
                           eager=1)
    import time

    deadline = time.monotonic() + 120
    while pool.kernels_started < 1 and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(1.0)
    assert pool.kernels_started == 1  # the second kernel waits for start_rest() or the first notebook
    polluter = _notebook(tmp_path / "a.ipynb", ["leak = 41"])
    reader = _notebook(tmp_path / "b.ipynb", [USER_NAMES, "import os\nprint(os.environ.get('CCHC_X'))"])
    used = []

    def run(k, item):
        i, nb = item
        used.append((k.km.kernel_id, id(k.kc)))
        warm.run_notebook(k, str(nb), str(tmp_path / f"out{i}.ipynb"), {"x": 2}, kernel)

    try:
        outcomes = list(warm.run_all(list(enumerate([polluter, reader, polluter, reader])), run, kernel, tmp_path,
                                     2, tmp_path / "unused.log", pool))
        deadline = time.monotonic() + 120
        while pool.kernels_started < 2 and time.monotonic() < deadline:  # the first notebook woke the other
            time.sleep(0.2)
    finally:
        pool.close()
    assert [o.error for o in outcomes] == [None] * 4
    assert len(set(used)) == len({k for k, _ in used})  # one client per kernel, kept for all its notebooks
    assert pool.kernels_started == 2
    for i in (1, 3):
        texts = json.dumps([c.get("outputs", []) for c in nbformat.read(tmp_path / f"out{i}.ipynb",
                                                                       as_version=4).cells])
        assert "leak" not in texts and "['x']" in texts and '"7\\n"' in texts
    assert not (tmp_path / "unused.log").exists()  # run_all used the pool's kernels, started none


def test_a_notebook_is_written_when_it_starts_and_ends_not_at_every_cell(tmp_path, monkeypatch):
    """Issue 15: papermill wrote the whole notebook at every cell's start and
    end (0,96 s of the build's process for 11 notebooks); on a warm kernel it
    is written when it starts and when it ends. A cell that fails or times
    out still leaves the notebook as far as it ran."""
    import papermill.engines
    import papermill.execute

    writes = []
    for module in (papermill.engines, papermill.execute):
        real = module.write_ipynb
        monkeypatch.setattr(module, "write_ipynb", lambda nb, path, _real=real: (writes.append(path), _real(nb, path)))
    kernel = b.ensure_kernel()
    ok = _notebook(tmp_path / "ok.ipynb", [f"print('cell {i}')" for i in range(5)])
    slow = _notebook(tmp_path / "slow.ipynb", ["print('before the slow cell')", "import time\ntime.sleep(60)", "1"])
    failing = _notebook(tmp_path / "failing.ipynb", ["print('ran first')", "raise ValueError('boom')", "print(2)"])

    def run(k, nb):
        warm.run_notebook(k, str(nb), str(tmp_path / f"out-{nb.stem}.ipynb"), {"x": 2}, kernel, timeout=3)

    # one kernel: the slow one first, its timed-out cell would go on running in that kernel and the next
    # notebooks would wait behind it and time out too; the kernel is replaced instead
    errors = {o.item.stem: o.error for o in warm.run_all([slow, ok, failing], run, kernel, tmp_path, 1,
                                                           tmp_path / "k.log")}
    assert errors["ok"] is None, errors["ok"]
    assert isinstance(errors["slow"], TimeoutError) and "boom" in str(errors["failing"])
    assert writes.count(str(tmp_path / "out-ok.ipynb")) == 3  # start, end, papermill's final copy; 6 cells
    assert "cell 4" in json.dumps(_cells(tmp_path / "out-ok.ipynb"))
    assert "before the slow cell" in json.dumps(_cells(tmp_path / "out-slow.ipynb"))
    assert "ran first" in json.dumps(_cells(tmp_path / "out-failing.ipynb"))
