"""Hostile or broken inputs (issue 10): links, quarter ids, manifests, XLSX
bombs, long labels — unit level. The same classes go through `pipeline.py
build` in tests/test_privacy_build.py and the bad-input corpus."""
from __future__ import annotations

import pytest

from cchc import loader
from cchc.html import link_list, safe_href
from cchc.periods import QuarterIdError, is_quarter_id, looks_like_quarter, parse_quarter


# ---------------------------------------------------------------- safe_href
@pytest.mark.parametrize("href", [
    "javascript:alert(1)", "JaVaScRiPt:alert(1)", "java\tscript:alert(1)", "java\nscript:alert(1)",
    "java\rscript:alert(1)", "ja\tva\nscr\ript:alert(1)", "\x01javascript:alert(1)", " \x00\x1f javascript:x",
    "javascript\t:alert(1)", "vbscript:x", "data:text/html,<script>", "file:///etc/passwd",
    "//evil.example/x", " //evil.example", "\t//evil.example", "/\\evil.example", "\\\\evil.example",
    "\\/evil.example", "java\u200bscript:alert(1)", "java\u2028script:x", "a.html\x7f", "x\x85y",
])
def test_safe_href_refuses_what_a_browser_would_run_or_send_elsewhere(href):
    assert safe_href(href) == "#"
    assert 'href="#"' in link_list([(href, "x")])


@pytest.mark.parametrize("href,expected", [
    ("../phuong-phap.html#a", "../phuong-phap.html#a"), ("2026Q3/index.html", "2026Q3/index.html"),
    ("#muc", "#muc"), ("?q=1", "?q=1"), ("https://dichvucong.gov.vn/", "https://dichvucong.gov.vn/"),
    ("  https://dichvucong.gov.vn/p\n", "https://dichvucong.gov.vn/p"), ("HTTP://x.vn", "HTTP://x.vn"),
    ("mailto:ubnd@chonthanh.invalid", "mailto:ubnd@chonthanh.invalid"), ("tel:02713", "tel:02713"),
    ("minh-chung/qd 12.pdf", "minh-chung/qd 12.pdf"),
])
def test_safe_href_keeps_links(href, expected):
    assert safe_href(href) == expected


# ---------------------------------------------------------------- quarter ids
@pytest.mark.parametrize("name", ["202\uff16Q3", "\uff12\uff10\uff12\uff16\uff31\uff13", "2026Q3\n", "2026Q3\u200b",
                                  "\ufeff2026Q3", "2026q3", " 2026Q3", "2026Q3 ", "2026-Q3", "Q3-2026", "2026Q5"])
def test_quarter_ids_are_ascii_and_whole(name):
    assert not is_quarter_id(name)
    with pytest.raises(QuarterIdError):
        parse_quarter(name)
    assert looks_like_quarter(name)


def test_real_quarter_ids_and_other_folders():
    assert is_quarter_id("2026Q3") and parse_quarter("2026Q3") == (2026, 3)
    assert not looks_like_quarter("2026Q3")
    for other in ("plan", "releases", "README.md", "2026", "Q3", "anh-chup"):
        assert not looks_like_quarter(other)


def test_lookalike_quarter_folder_is_an_input_error(tmp_path):
    from cchc.build import InvalidInputError, discover_quarters

    (tmp_path / "2026Q3").mkdir()
    (tmp_path / "plan").mkdir()
    assert discover_quarters(tmp_path) == ["2026Q3"]
    (tmp_path / "202\uff16Q3").mkdir()
    with pytest.raises(InvalidInputError) as e:
        discover_quarters(tmp_path)
    assert e.value.exit_code == 2
    msg = str(e.value)
    assert "202\uff16Q3" in msg and "'202\\uff16Q3'" in msg
    assert "Tên thư mục quý không hợp lệ" in msg and "invalid quarter folder name" in msg


# ---------------------------------------------------------------- quarter.yml
def _manifest(tmp_path, text: str):
    folder = tmp_path / "2026Q3"
    folder.mkdir(exist_ok=True)
    (folder / "quarter.yml").write_text(text, encoding="utf-8")
    return folder / "quarter.yml"


@pytest.mark.parametrize("text,why", [
    ("quarter: &q 2026Q3\nsource: *q\n", "anchors and aliases"),
    ("quarter: 2026Q3\nx: [1, 2]\n", "one plain value"),
    ("quarter: 2026Q3\nx: {a: 1}\n", "one plain value"),
    ("quarter: 2026Q3\nquarter: 2026Q3\n", "appears twice"),
    ("quarter: 2026Q3\nsource: " + "x" * 301 + "\n", "value too long"),
    ("quarter: 2026Q3\n#" + "x" * 5000 + "\n", "file too large"),
    ("- 2026Q3\n", "one plain value"),
    ("quarter: 202\uff16Q3\n", "is not like 2026Q3"),
])
def test_manifest_is_read_defensively(tmp_path, text, why):
    path = _manifest(tmp_path, text)
    with pytest.raises(loader.LoadError) as e:
        loader.read_manifest(path)
    assert why in str(e.value)


def test_billion_laughs_manifest_is_refused_without_expanding(tmp_path):
    import resource

    lines = ['a: &a ["ha","ha","ha","ha","ha","ha","ha","ha","ha"]']
    for prev, cur in zip("abcdefgh", "bcdefghi"):
        lines.append(f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * 9) + "]")
    path = _manifest(tmp_path, "quarter: 2026Q3\n" + "\n".join(lines) + "\n")
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(loader.LoadError, match="anchors and aliases"):
        loader.read_manifest(path)
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 100 * 1024  # KiB: no expansion


def test_valid_manifest_still_reads(tmp_path):
    path = _manifest(tmp_path, "quarter: 2026Q3\nsample: true\nsource: \"Hệ thống\"\n"
                               "exported_at: 2026-10-05T08:00:00+07:00\ncutoff: 2026-09-20\n")
    m = loader.read_manifest(path)
    assert m.quarter == "2026Q3" and m.sample and m.cutoff.isoformat() == "2026-09-20"


def test_manifest_source_is_free_text_and_masked(tmp_path):
    path = _manifest(tmp_path, "quarter: 2026Q3\nsource: \"Xuất bởi chị Lan, ĐT 0912\u00a0345\u00a0678\"\n")
    m = loader.read_manifest(path)
    assert m.source == "Xuất bởi chị Lan, ĐT [đã ẩn]" and m.masked == ("source",)
