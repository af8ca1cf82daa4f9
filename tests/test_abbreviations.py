"""Abbreviations spelled out on first use on each page (cchc.render.abbreviations)."""
from cchc.render.abbreviations import abbreviations, expand_html

PAGE = ('<html><head><title>TTHC</title></head><body><nav>Hồ sơ TTHC</nav><main><h1>Hồ sơ</h1>'
        '<p>Hồ sơ, kết quả TTHC được số hóa. TTHC khác.</p><svg><text>DVC</text></svg>'
        '<p>DVC trực tuyến; phản ánh, kiến nghị (PAKN) rồi PAKN.</p><p>yếu tố SIPAS</p>'
        '<script>var TTHC = 1;</script></main><footer>DVC</footer></body></html>')


def test_first_use_in_main_is_spelled_out_once():
    out = expand_html(PAGE)
    assert "kết quả thủ tục hành chính (TTHC) được số hóa. TTHC khác." in out
    assert "<p>Dịch vụ công (DVC) trực tuyến" in out           # capital at the start of a sentence
    assert "<text>DVC</text>" in out                          # chart text is left alone
    assert "phản ánh, kiến nghị (PAKN) rồi PAKN." in out      # already spelled out: unchanged
    assert "yếu tố Chỉ số hài lòng về sự phục vụ hành chính (SIPAS)" in out
    assert "<title>TTHC</title>" in out and "<nav>Hồ sơ TTHC</nav>" in out and "<footer>DVC</footer>" in out
    assert "var TTHC = 1;" in out
    assert expand_html(out) == out  # idempotent


def test_expansions_are_data():
    assert abbreviations()["TTHC"] == "thủ tục hành chính"
    assert set(abbreviations()) >= {"TTHC", "PAKN", "DVC", "SIPAS"}
