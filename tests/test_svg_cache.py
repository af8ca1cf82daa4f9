"""Issue 15: chart drawings kept between builds are byte for byte what
vl-convert draws, and only reused for exactly the same key."""
from __future__ import annotations

import pandas as pd

from cchc import charts, svg_cache


def test_drawing_is_reused_only_for_the_same_key(tmp_path, monkeypatch):
    calls = []

    def draw(text):
        def f():
            calls.append(text)
            return f"<svg>{text}</svg>"
        return f

    monkeypatch.delenv(svg_cache.SVG_CACHE_ENV, raising=False)
    assert svg_cache.drawing(["k", 1], draw("a")) == "<svg>a</svg>"
    assert svg_cache.drawing(["k", 1], draw("a")) == "<svg>a</svg>" and calls == ["a", "a"]  # no folder: drawn
    monkeypatch.setenv(svg_cache.SVG_CACHE_ENV, str(tmp_path / "charts"))
    calls.clear()
    assert svg_cache.drawing(["k", 1], draw("a")) == "<svg>a</svg>"
    assert svg_cache.drawing(["k", 1], draw("other")) == "<svg>a</svg>"  # same key: the kept drawing
    assert svg_cache.drawing(["k", 2], draw("b")) == "<svg>b</svg>"
    assert calls == ["a", "b"]
    assert len(list((tmp_path / "charts").rglob("*.svg"))) == 2 and not list((tmp_path / "charts").rglob("*.tmp"))


def test_cached_chart_is_byte_identical_and_changes_with_the_data(tmp_path, monkeypatch):
    df = pd.DataFrame({"quarter": ["2026Q1", "2026Q2", "2026Q3"], "value": [97.5, 98.2, 99.1]})
    chart = charts.alt.Chart(df).mark_line().encode(x="quarter:N", y="value:Q")
    monkeypatch.delenv(svg_cache.SVG_CACHE_ENV, raising=False)
    fresh, _ = charts.render_svg(chart, "Tỷ lệ")
    monkeypatch.setenv(svg_cache.SVG_CACHE_ENV, str(tmp_path / "charts"))
    first, _ = charts.render_svg(chart, "Tỷ lệ")
    drawn = list((tmp_path / "charts").rglob("*.svg"))
    again, _ = charts.render_svg(chart, "Tỷ lệ")
    assert fresh == first == again and len(drawn) == 1
    other = charts.alt.Chart(df.assign(value=[97.5, 98.2, 42.0])).mark_line().encode(x="quarter:N", y="value:Q")
    changed, _ = charts.render_svg(other, "Tỷ lệ")
    assert changed != first and len(list((tmp_path / "charts").rglob("*.svg"))) == 2


def test_build_kernels_get_the_drawings_folder(tmp_path):
    from cchc.build.cache import Cache
    from cchc.build.execute import kernel_env

    from cchc.build.cache import package_digest

    env = kernel_env(Cache(tmp_path / "cache"))
    assert env[svg_cache.SVG_CACHE_ENV] == str(tmp_path / "cache" / "charts")
    assert env[svg_cache.CODE_ENV] == package_digest()
    assert env["PATH"]  # the rest of the environment is kept


def test_kept_text_is_made_once_and_written_whole(tmp_path):
    from cchc.textstore import kept_text

    made = []
    path = tmp_path / "ab" / "key.html"
    assert kept_text(path, lambda: made.append(1) or "<p>một</p>\n") == "<p>một</p>\n"
    assert kept_text(path, lambda: made.append(1) or "<p>hai</p>\n") == "<p>một</p>\n"
    assert made == [1] and [p.name for p in path.parent.iterdir()] == ["key.html"]
    blocked = tmp_path / "file"
    blocked.write_text("x", encoding="utf-8")
    assert kept_text(blocked / "sub" / "k.svg", lambda: "<svg/>") == "<svg/>"  # cannot keep it: still made


TREND = pd.DataFrame({"quarter": ["2026Q1", "2026Q2", "2026Q3"], "value": [97.5, 98.2, 99.1],
                      "target": [98.0, 98.0, 98.0]})


def test_a_figure_is_kept_by_its_arguments_and_the_code(tmp_path, monkeypatch):
    """A kept figure is equal to one built now; other data, other arguments or
    other code build it again; without the code digest nothing is kept."""
    monkeypatch.delenv(svg_cache.SVG_CACHE_ENV, raising=False)
    monkeypatch.delenv(svg_cache.CODE_ENV, raising=False)
    built = charts.indicator_trend(TREND, "Tỷ lệ đúng hạn", n=2)
    monkeypatch.setenv(svg_cache.SVG_CACHE_ENV, str(tmp_path / "charts"))
    charts.indicator_trend(TREND, "Tỷ lệ đúng hạn", n=2)
    assert not (tmp_path / "charts" / "figures").exists(), "no code digest: no figure kept"
    monkeypatch.setenv(svg_cache.CODE_ENV, "code-1")
    assert charts.indicator_trend(TREND, "Tỷ lệ đúng hạn", n=2) == built
    real = charts.render_svg
    monkeypatch.setattr(charts, "render_svg", lambda *a, **k: (_ for _ in ()).throw(AssertionError("drawn")))
    kept = charts.indicator_trend(TREND, "Tỷ lệ đúng hạn", n=2)
    assert kept == built and kept.__html__() == built.__html__()
    monkeypatch.setattr(charts, "render_svg", real)
    other_data = charts.indicator_trend(TREND.assign(value=[97.5, 98.2, 42.0]), "Tỷ lệ đúng hạn", n=2)
    other_args = charts.indicator_trend(TREND, "Tỷ lệ đúng hạn", n=3)
    assert other_data != built and other_args.id != built.id
    monkeypatch.setenv(svg_cache.CODE_ENV, "code-2")
    monkeypatch.setattr(charts, "render_svg", lambda *a, **k: (_ for _ in ()).throw(AssertionError("drawn")))
    try:
        charts.indicator_trend(TREND, "Tỷ lệ đúng hạn", n=2)
        raise RuntimeError("other code must build the figure again")
    except AssertionError as exc:
        assert str(exc) == "drawn"
    assert len(list((tmp_path / "charts" / "figures").rglob("*.pkl"))) == 3
