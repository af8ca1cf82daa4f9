"""The one normaliser and personal-data detector (cchc.privacy), the loader
that masks with it, and the site scan that uses the same detector."""
from __future__ import annotations

import sys
import unicodedata

import numpy as np
import pytest

from cchc import loader
from cchc.privacy import INVISIBLE_RE, MASK, find_pii, mask_pii, normalise_text
from cchc.validation.pii import scan_text

# Written as real exports write them: every one must be found (and masked).
POSITIVES = [
    ("ĐT0912345678", "phone"),
    ("SĐT:0912345678", "phone"),
    ("sđt0912345678", "phone"),
    ("Zalo0912345678", "phone"),
    ("0912\u00a0345\u00a0678", "phone"),  # non-breaking spaces (Excel)
    ("0912\u202f345\u202f678", "phone"),  # narrow no-break spaces
    ("0912.345.678", "phone"),
    ("0912-345-678", "phone"),
    ("09 12 34 56 78", "phone"),
    ("091 234 5678", "phone"),
    ("(091) 234 5678", "phone"),
    ("(028) 3823 4567", "phone"),
    ("028 3823 4567", "phone"),
    ("02513 823 456", "phone"),
    ("+84 912 345 678", "phone"),
    ("+84912345678", "phone"),
    ("+84-912-345-678", "phone"),
    ("(+84) 912 345 678", "phone"),
    ("+84 (0) 912 345 678", "phone"),
    ("0084 912 345 678", "phone"),
    ("84912345678", "phone"),
    ("\uff10\uff19\uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff18", "phone"),  # full-width digits
    ("\uff0b\uff18\uff14 \uff19\uff11\uff12 \uff13\uff14\uff15 \uff16\uff17\uff18", "phone"),
    ("0912\u200b345678", "phone"),  # a zero-width space inside
    ("CCCD: 079123456789", "citizen_id"),
    ("CCCD079123456789", "citizen_id"),
    ("079.123.456.789", "citizen_id"),
    ("079 123 456 789", "citizen_id"),
    ("0791 2345 6789", "citizen_id"),
    ("CMND 123456789.", "citizen_id"),
    ("số định danh 001099012345", "citizen_id"),
    ("liên hệ nguyen.van.a@gmail.com", "email"),
    ("thư: an\uff20ubnd.vn", "email"),  # full-width @
]

# Must pass untouched.
NEGATIVES = [
    "150.000.000 đồng", "150000000 đồng", "150000000đ", "2.000.000 VNĐ", "1.250.000 đồng", "300000000 VND",
    "Số 123456789/QĐ-UBND", "Quyết định 123456789/2026/QĐ-UBND", "123/2026/NĐ-CP", "Kế hoạch số 15/KH-UBND",
    "12.345.678.901", "1.012.345.678", "0,123456789", "123456789.5", "0.8571428571", "98,5%",
    'd="M12.345678901,67.123456789L0,0"', "commit 4728dd3a91234567890bcdef", "fill:#123456",
    'id="clip123456789"', "2026-07-01T08:30:00+07:00", "01-07-2026 08:30", "01.07.2026 08:30",
    "logo@2x.png", "20261121080000", "1234567890", "123 456 789",
    "sha 0123456789abcdef0123456789abcdef01234567", "H51.25-251203-0051", "1.012799", "KS26Q3-0001",
]


@pytest.mark.parametrize("text,kind", POSITIVES)
def test_detector_finds_personal_data(text, kind):
    norm = normalise_text(text)
    assert [k for k, _, _ in find_pii(norm)] == [kind]
    masked, n = mask_pii(norm)
    assert n == 1 and MASK in masked
    assert sum(c.isdigit() for c in masked) <= 2  # only a label like "84"/"028" could remain around


@pytest.mark.parametrize("text", NEGATIVES)
def test_detector_leaves_money_documents_and_numbers(text):
    norm = normalise_text(text)
    assert find_pii(norm) == []
    assert mask_pii(norm) == (norm, 0)


def test_two_numbers_in_one_cell_are_both_masked():
    masked, n = mask_pii("ĐT 0912345678/0987654321, CCCD 079123456789; kinh phí 150.000.000 đồng")
    assert n == 3
    assert masked == f"ĐT {MASK}/{MASK}, CCCD {MASK}; kinh phí 150.000.000 đồng"


def test_normaliser():
    assert normalise_text("HS001") == "HS001"
    assert normalise_text("HS001\u200b") == normalise_text("\ufeffHS001") == normalise_text("H\u200dS\u2060001") == "HS001"
    assert normalise_text("\uff28\uff33\uff10\uff10\uff11") == "HS001"  # full-width
    assert normalise_text("a\u00a0b\u202fc\u3000d\u2028e") == "a b c d e"
    assert normalise_text("Hộ tịch") == unicodedata.normalize("NFC", "Hộ tịch")
    assert normalise_text("Ho\u0323\u0302 ti\u0323ch") == "Hộ tịch"  # combining marks composed
    assert normalise_text("so\u00adft") == "soft"


def test_every_format_character_is_invisible_to_the_normaliser():
    """INVISIBLE_RE is written out by hand: it must cover Unicode category Cf
    of the running Python (a newer Unicode adds characters: update it)."""
    missing = [hex(i) for i in range(sys.maxunicode + 1)
               if unicodedata.category(chr(i)) == "Cf" and not INVISIBLE_RE.match(chr(i))]
    assert missing == []


def test_loader_masks_every_text_column_and_keeps_the_rest(tmp_path):
    p = tmp_path / "tien_do.csv"
    p.write_text(
        "MaNhiemVu,TrangThai,MinhChung,GhiChu,DonViBaoCao\n"
        "I.01\u200b,Hoàn thành,Quyết định số 123456789/QĐ-UBND,kinh phí 150000000 đồng,Văn phòng\n"
        "II.01,hoan_thanh,Báo cáo 12/BC-UBND,\"Gọi\u00a00912\u00a0345\u00a0678\",Tổ 1 — ĐT0987654321\n"
        "II.02,hoan_thanh,,x\u200b,\"a.b@gmail.com\"\n",
        encoding="utf-8")
    t = loader.read_table(p, "tien_do")
    raw = t.raw
    assert raw["MaNhiemVu"].tolist() == ["I.01", "II.01", "II.02"]
    assert raw["MinhChung"].iloc[0] == "Quyết định số 123456789/QĐ-UBND"
    assert raw["GhiChu"].tolist() == ["kinh phí 150000000 đồng", f"Gọi {MASK}", "x"]
    assert raw["DonViBaoCao"].tolist() == ["Văn phòng", f"Tổ 1 — ĐT{MASK}", MASK]
    assert t.df["TrangThai"].tolist() == ["hoan_thanh"] * 3
    assert {c: r.tolist() for c, r in t.masked.items()} == {"GhiChu": [3], "DonViBaoCao": [3, 4]}
    assert t.too_long == {}


def test_loader_cuts_and_reports_cells_over_the_limit(tmp_path):
    from cchc import contract

    limit = contract.limits()["max_cell_chars"]
    p = tmp_path / "tien_do.csv"
    long = "x" * (limit + 1)
    p.write_text(f"MaNhiemVu,TrangThai,GhiChu,DonViBaoCao\nI.01,hoan_thanh,ok,A\nI.02,hoan_thanh,{long},A\n",
                 encoding="utf-8")
    t = loader.read_table(p, "tien_do")
    assert {c: r.tolist() for c, r in t.too_long.items()} == {"GhiChu": [3]}
    assert len(t.raw["GhiChu"].iloc[1]) == limit


def test_the_site_scan_uses_the_same_detector():
    """Whatever the input masking would mask, the last scan before publishing
    finds — and what it leaves, the scan leaves."""
    for text, kind in POSITIVES:
        found = scan_text(f"<p>{text}</p>\n", "x.html")
        assert [f.kind for f in found] == [kind], text
        assert all(normalise_text(text) not in f.excerpt for f in found)
    for text in NEGATIVES:
        assert scan_text(f"<p>{text}</p>\n", "x.html") == [], text
    assert scan_text(f"<p>{MASK}</p>\n", "x.html") == []


def test_masking_is_per_distinct_value_and_keeps_row_numbers(tmp_path):
    p = tmp_path / "phan_anh.csv"
    rows = "".join(f"PA{i:02d},05/08/2026,15/08/2026,,,{'ĐT 0912345678' if i % 2 else 'Hộ tịch'}\n"
                   for i in range(1, 11))
    p.write_text("MaPAKN,NgayTiepNhan,HanXuLy,NgayXuLy,HaiLong,LinhVuc\n" + rows, encoding="utf-8")
    t = loader.read_table(p, "phan_anh")
    assert np.array_equal(t.masked["LinhVuc"], np.array([2, 4, 6, 8, 10]))
    assert set(t.raw["LinhVuc"]) == {f"ĐT {MASK}", "Hộ tịch"}


def test_candidate_filter_never_drops_what_the_detector_finds():
    """pii_candidates (numpy, all values at once) is a superset of find_pii:
    the examples, and 20,000 random strings made of digits, separators,
    letters and the characters the detector cares about."""
    import random

    from cchc.privacy import pii_candidates

    values = [normalise_text(t) for t, _ in POSITIVES] + [normalise_text(t) for t in NEGATIVES]
    rnd = random.Random(20260930)
    alphabet = "0000123456789 .-()+@/đĐTa,#_x\n"
    for _ in range(20_000):
        values.append("".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 30))))
    values += ["", "0", "x" * 50, "a@b.vn", "0912345678", "H51.25-251203-0051"]
    cand = pii_candidates(values, chunk=997)  # small chunks: chunk boundaries are exercised too
    missed = [v for v, c in zip(values, cand) if not c and find_pii(v)]
    assert missed == []
    assert cand[: len(POSITIVES)].all()
    assert not pii_candidates(["H51.25-251203-0051", "Hộ tịch", "1.012799", "KS26Q3-0001"]).any()


def test_candidate_filter_skips_dossier_ids_but_not_numbers_glued_to_letters():
    """Digit runs glued to letters (dossier ids such as HS000000123) are ruled
    out without running the detector, except when they may start a phone
    number or follow an identity label; 20,000 random values built from
    letter prefixes, labels and digit runs check the superset property."""
    import random

    from cchc.privacy import pii_candidates

    assert not pii_candidates(["HS000000123", "KS00000000012", "hs000123456789"]).any()
    kept = ["HS0912345678", "HS84912345678", "HS0084912345678", "CCCD079123456789", "cmnd123456789",
            "xd000000001", "HS000000001 0912 345 678", "x 000000001"]
    assert pii_candidates(kept).all()
    rnd = random.Random(15)
    prefixes = ["", "HS", "hs", "CCCD", "cmnd", "cmt", "ĐT", "SĐT", "a", "abef", "x", "_", "#", "x1", "Số ", "đ",
                "ddcn", "madinhdanh", "Zalo"]
    values = []
    for _ in range(20_000):
        parts = []
        for _ in range(rnd.randint(1, 3)):
            parts.append(rnd.choice(prefixes))
            chars = "0000008841234567890123456789 .-()+/,"
            parts.append("".join(rnd.choice(chars) for _ in range(rnd.randint(0, 16))))
            if rnd.random() < 0.3:
                parts.append("".join(rnd.choice("0123456789") for _ in range(rnd.randint(8, 14))))
        values.append(normalise_text("".join(parts)))
    cand = pii_candidates(values, chunk=991)
    assert [v for v, c in zip(values, cand) if not c and find_pii(v)] == []
    assert not cand.all()  # the filter does filter


def test_digits_of_other_scripts_are_masked_like_the_site_scan_finds_them(tmp_path):
    """The detector's \\d matches every decimal digit (Arabic-Indic too), so the
    loader's candidate filter must let such values through to the masking."""
    from cchc.privacy import pii_candidates

    arabic_indic = "".join(chr(0x0660 + int(d)) for d in "079123456789")
    ids = [arabic_indic, "CMND " + arabic_indic[:9]]
    assert [find_pii(v)[0][0] for v in ids] == ["citizen_id", "citizen_id"]
    assert pii_candidates(ids).all()
    p = tmp_path / "phan_anh.csv"
    p.write_text("MaPAKN,NgayTiepNhan,HanXuLy,NgayXuLy,HaiLong,LinhVuc\n"
                 f"PA01,05/08/2026,15/08/2026,,,{ids[1]}\n", encoding="utf-8")
    t = loader.read_table(p, "phan_anh")
    assert list(t.raw["LinhVuc"]) == [f"CMND {MASK}"]
