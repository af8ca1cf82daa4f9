"""Issue 15: files kept in the build cache (cchc.build.cache.kept_files) —
the page set's pages and each quarter's downloads — are written again, byte
for byte, without being made again while their key is the same."""
from __future__ import annotations

from cchc.build.cache import Cache, kept_files


def _tree(folder):
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_kept_files_are_written_again_without_being_made(tmp_path):
    cache = Cache(tmp_path / "cache")
    made = []

    def write(folder):
        made.append(folder)
        (folder / "2026Q4").mkdir(parents=True)
        (folder / "2026Q4" / "indicators.csv").write_bytes(b"\xef\xbb\xbfid,value\r\non_time,98.5\r\n")
        (folder / "procedures.csv").write_text("ma,so\n1.001,12\n", encoding="utf-8")
        return ["2026Q4/indicators.csv", "procedures.csv"]

    first = kept_files(cache, "downloads", "k1", tmp_path / "a", write)
    again = kept_files(cache, "downloads", "k1", tmp_path / "b", write)
    assert first == again == ["2026Q4/indicators.csv", "procedures.csv"]
    assert len(made) == 1 and made[0] != tmp_path / "a"  # made once, in a folder of its own
    assert _tree(tmp_path / "a") == _tree(tmp_path / "b") and len(_tree(tmp_path / "a")) == 2
    assert not [p for p in (tmp_path / "cache").iterdir() if p.name.startswith("downloads-")]  # no folder left
    kept_files(cache, "downloads", "k2", tmp_path / "c", write)  # another key: made again
    assert len(made) == 2


def test_without_a_cache_the_files_are_written_in_place(tmp_path):
    got = kept_files(None, "downloads", "k", tmp_path / "out",
                     lambda folder: (folder.mkdir(parents=True), (folder / "x.csv").write_text("a\n"), folder)[2])
    assert got == tmp_path / "out" and (tmp_path / "out" / "x.csv").read_text() == "a\n"
