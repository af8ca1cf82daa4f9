"""The build package's shape: one module per stage, no import cycle with the
pages, every name of the former single module still importable."""
from __future__ import annotations

import ast
from pathlib import Path

import cchc.build as b

PKG = Path(b.__file__).resolve().parent
CCHC = PKG.parent


def _imported_modules(path: Path, package: str) -> set[str]:
    """Absolute names of the cchc modules ``path`` imports (at any depth of the file)."""
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            base = package.split(".")
            if node.level:
                base = base[: len(base) - node.level + 1]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            out.add(mod)
            out.update(f"{mod}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
    return out


def test_no_stage_of_the_build_imports_the_pages():
    for path in sorted(PKG.glob("*.py")):
        mods = _imported_modules(path, "cchc.build")
        assert "cchc.pages" not in mods, f"{path.name} imports cchc.pages"


def test_pages_reach_the_build_only_through_its_contexts_module():
    mods = {m for m in _imported_modules(CCHC / "pages.py", "cchc") if m.startswith("cchc.build")}
    assert mods <= {"cchc.build.contexts", "cchc.build.contexts.contexts_from_data"}, mods


def test_public_names_still_importable_from_cchc_build():
    for name in b.__all__:
        assert hasattr(b, name), name
    for name in ("BuildOptions", "Cache", "validate_quarters", "compute_results", "write_contexts", "plan_jobs",
                 "execute_notebooks", "assemble_staging", "render_site", "publish", "recover_site", "BuildLock",
                 "contexts_from_data", "_execute_one"):
        assert hasattr(b, name), name
