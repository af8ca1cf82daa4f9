"""Every chart the pages draw is valid Vega-Lite. ``cchc.charts.render_svg``
skips altair's schema validation at build time (a third of a chart's time),
so it is done here, on the specs of every chart builder."""
from __future__ import annotations

import jsonschema
import numpy as np
import pandas as pd
import pytest
from altair.vegalite.v6.schema.core import TopLevelSpec

from cchc import charts as C


def _figures():
    months = pd.date_range("2026-01-01", periods=3, freq="MS")
    return {
        "trend": C.indicator_trend(pd.DataFrame({"quarter": ["2026Q1", "2026Q2", "2026Q3"], "value": [96.2, 97.4, np.nan],
                                                 "target": [98.0] * 3}), title="Đúng hạn", direction=">="),
        "bars": C.bar_by_category(pd.DataFrame({"lv": ["Hộ tịch", "Tư pháp"], "v": [99.1, 85.25]}), "lv", "v",
                                  target=95, title="Theo lĩnh vực", direction=">="),
        "monthly": C.monthly_volume(pd.DataFrame([(m, ch, 100 * ch) for m in months for ch in (1, 2, 3)],
                                                 columns=["month", "channel", "count"])),
        "progress": C.progress_by_group(pd.DataFrame([("I", "hoan_thanh", 3), ("I", "chua_bao_cao", 1)],
                                                     columns=["group", "status", "count"]), title="Tiến độ"),
    }


@pytest.mark.parametrize("name", ["trend", "bars", "monthly", "progress"])
def test_every_chart_spec_is_valid_vega_lite(name):
    TopLevelSpec.validate(_figures()[name].spec)


def test_an_invalid_spec_is_caught():
    spec = dict(_figures()["bars"].spec)
    spec["mark"] = {"type": "no-such-mark"}
    with pytest.raises(jsonschema.ValidationError):
        TopLevelSpec.validate(spec)
