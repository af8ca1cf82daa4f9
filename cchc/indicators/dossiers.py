"""Dossier indicators (ho_so + bo_sung): on-time processing and the rates
over dossiers received in the period, plus their breakdowns.

Everything is vectorised over numpy arrays prepared once (:class:`DossierSet`);
a period is evaluated by :meth:`DossierSet.evaluate` with a row mask (the
quarter uses the rows of the quarter's own file, the year-to-date all merged
rows) and the period bounds.

Rules (docs/indicators.md):

* received ⇔ ``NgayTiepNhan`` set and ``TrangThaiHoSo`` not in {1, 3}
  (a missing status does not exclude a dossier);
* on-time scope ⇔ received, ``NgayTiepNhan`` ≤ period end, status ≠ 7, and
  finished inside the period or unfinished at the period end
  (``NgayKetThucXuLy`` blank or after the period);
* ``E`` = ``NgayKetThucXuLy`` when inside the period, else the period end
  (23:59:59 of its last day, see :class:`~cchc.indicators.core.Bounds`);
* ``S`` = Σ over the dossier's supplement requests of the part of
  [``NgayYeuCauBoSung``, ``NgayHoanThanhBoSung`` or ``E``] that lies before
  ``E`` (clipped at 0); the number of requests counts those made at or
  before ``E``;
* on time ⇔ requests ≤ 1 and ``E − S ≤ NgayHenTra``. A dossier in scope
  without ``NgayHenTra`` cannot be on time (counted late, and reported in
  ``warnings``).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .core import DAY, Bounds, factorize_sorted, ints, names_for, ns, values

CHANNELS = {1: "Trực tiếp", 2: "Trực tuyến", 3: "Bưu chính công ích"}

RATE_IDS = ("online_dossiers", "digitized_dossiers", "data_reuse", "online_payment", "e_results")
DOSSIER_IDS = ("on_time",) + RATE_IDS


def _col(df: pd.DataFrame, name: str, kind: str, n: int):
    if name in df.columns:
        s = df[name]
    else:
        s = pd.Series([pd.NA] * n, dtype="Int64" if kind != "dt" else "datetime64[ns]")
    if kind == "dt":
        return ns(s)
    return ints(s)


class DossierSet:
    """Dossier rows (one per MaHoSo, already merged) and their supplement requests."""

    def __init__(self, ho_so: pd.DataFrame, bo_sung: pd.DataFrame):
        n = len(ho_so)
        self.n = n
        self.src = ho_so["_src"].to_numpy(np.int64) if "_src" in ho_so else np.zeros(n, np.int64)
        self.tn, self.tn_na = _col(ho_so, "NgayTiepNhan", "dt", n)
        self.due, self.due_na = _col(ho_so, "NgayHenTra", "dt", n)
        self.fin, self.fin_na = _col(ho_so, "NgayKetThucXuLy", "dt", n)
        self.status = _col(ho_so, "TrangThaiHoSo", "int", n)
        kenh = _col(ho_so, "KenhThucHien", "int", n)
        self.kenh = np.where(kenh < 0, 1, kenh)  # blank means 1 (contract default)
        self.obligation = _col(ho_so, "CoNghiaVuTaiChinh", "int", n)
        self.paid = _col(ho_so, "DuocThanhToanTrucTuyen", "int", n)
        self.digitized = _col(ho_so, "HoSoCoThanhPhanSoHoa", "int", n)
        self.e_result = _col(ho_so, "CoKetQuaDienTu", "int", n)
        self.reuse = _col(ho_so, "CoTaiSuDungDuLieu", "int", n)
        self.received = ~self.tn_na & (self.status != 1) & (self.status != 3)

        empty = pd.Series([], dtype="string")
        self.dom_codes, self.dom_keys = factorize_sorted(ho_so["MaLinhVuc"] if "MaLinhVuc" in ho_so else empty.reindex(range(n)))
        self.dom_names = names_for(self.dom_codes, len(self.dom_keys),
                                   ho_so["TenLinhVuc"] if "TenLinhVuc" in ho_so else empty.reindex(range(n)), self.src)
        self.proc_codes, self.proc_keys = factorize_sorted(ho_so["MaTTHC"] if "MaTTHC" in ho_so else empty.reindex(range(n)))
        self.proc_names = names_for(self.proc_codes, len(self.proc_keys),
                                    ho_so["TenTTHC"] if "TenTTHC" in ho_so else empty.reindex(range(n)), self.src)
        # the domain of a procedure: the domain code most often seen with it
        self.proc_dom = np.full(len(self.proc_keys), -1, np.int64)
        ok = (self.proc_codes >= 0) & (self.dom_codes >= 0)
        if ok.any():
            pair = pd.DataFrame({"p": self.proc_codes[ok], "d": self.dom_codes[ok]})
            cnt = pair.value_counts().reset_index(name="k").sort_values(["p", "k", "d"], ascending=[True, False, True])
            first = cnt.drop_duplicates("p")
            self.proc_dom[first["p"].to_numpy()] = first["d"].to_numpy()

        # supplements: map to dossier positions, sort by position once
        self._prepare_supplements(ho_so, bo_sung)

    def _prepare_supplements(self, ho_so, bo_sung):
        n = self.n
        self.sup_pos = np.zeros(0, np.int64)
        if bo_sung is None or len(bo_sung) == 0 or n == 0 or "MaHoSo" not in ho_so:
            self._set_sup(np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, bool))
            return
        keys = ho_so["MaHoSo"]
        keyna = keys.isna().to_numpy()
        pos_all = np.flatnonzero(~keyna)
        index = pd.Index(keys.to_numpy(dtype=object)[~keyna])
        if not index.is_unique:  # defensive: first occurrence
            index = index.drop_duplicates(keep="first")
            pos_all = pos_all[~pd.Index(keys.to_numpy(dtype=object)[~keyna]).duplicated(keep="first")]
        where = index.get_indexer(bo_sung["MaHoSo"].to_numpy(dtype=object))
        req, req_na = ns(bo_sung["NgayYeuCauBoSung"])
        done, done_na = ns(bo_sung["NgayHoanThanhBoSung"]) if "NgayHoanThanhBoSung" in bo_sung else (
            np.full(len(bo_sung), 0, np.int64), np.ones(len(bo_sung), bool))
        ok = (where >= 0) & ~req_na
        pos = pos_all[where[ok]]
        order = np.argsort(pos, kind="stable")
        self._set_sup(pos[order], req[ok][order], done[ok][order], done_na[ok][order])

    def _set_sup(self, pos, req, done, done_na):
        self.sup_pos, self.sup_req, self.sup_done, self.sup_open = pos, req, done, done_na
        if len(pos):
            starts = np.flatnonzero(np.r_[True, pos[1:] != pos[:-1]])
            self.sup_starts, self.sup_owner = starts, pos[starts]
        else:
            self.sup_starts = self.sup_owner = np.zeros(0, np.int64)

    # ------------------------------------------------------------------ period
    def evaluate(self, mask: np.ndarray | None, b: Bounds) -> dict[str, np.ndarray]:
        """Per-dossier boolean arrays for one period (``mask``: rows that belong to it)."""
        n = self.n
        if mask is None:
            mask = np.ones(n, bool)
        fin_in = b.inside(self.fin, self.fin_na)
        open_at_end = self.fin_na | (self.fin >= b.end_excl)
        scope = (mask & self.received & (self.tn < b.end_excl) & (self.status != 7)
                 & (fin_in | open_at_end))
        E = np.where(fin_in, self.fin, b.end)
        S = np.zeros(n, np.int64)
        cnt = np.zeros(n, np.int64)
        if len(self.sup_pos):
            Es = E[self.sup_pos]
            stop = np.where(self.sup_open, Es, np.minimum(self.sup_done, Es))
            part = np.maximum(stop - self.sup_req, 0)
            S[self.sup_owner] = np.add.reduceat(part, self.sup_starts)
            cnt[self.sup_owner] = np.add.reduceat((self.sup_req <= Es).astype(np.int64), self.sup_starts)
        on_time = scope & (cnt <= 1) & ~self.due_na & ((E - S) <= self.due)
        rec_in = mask & self.received & b.inside(self.tn, self.tn_na)
        finished = scope & fin_in
        done_9_10 = mask & fin_in & ((self.status == 9) | (self.status == 10))
        return {
            "scope": scope, "on_time": on_time, "late": scope & ~on_time,
            "finished": finished, "open": scope & ~fin_in,
            "sup_count": np.where(scope, cnt, 0), "no_due": scope & self.due_na,
            "received": rec_in, "done_9_10": done_9_10,
        }

    # -------------------------------------------------------------- measures
    def measures(self, ev: dict) -> dict[str, tuple[int, int]]:
        rec = ev["received"]
        pay_den = rec & (self.obligation == 1)
        return {
            "on_time": (int(ev["on_time"].sum()), int(ev["scope"].sum())),
            "online_dossiers": (int((rec & (self.kenh == 2)).sum()), int(rec.sum())),
            "digitized_dossiers": (int((rec & (self.digitized == 1)).sum()), int(rec.sum())),
            "data_reuse": (int((rec & (self.reuse == 1)).sum()), int(rec.sum())),
            "online_payment": (int((pay_den & ((self.paid == 1) | (self.paid == 2))).sum()), int(pay_den.sum())),
            "e_results": (int((ev["done_9_10"] & (self.e_result == 1)).sum()), int(ev["done_9_10"].sum())),
        }

    def on_time_counts(self, ev: dict, period: str) -> dict:
        f, o, t = ev["finished"], ev["open"], ev["on_time"]
        num, den = int(t.sum()), int(ev["scope"].sum())
        return {
            "period": period, "in_scope": den, "on_time": num, "late": den - num,
            "finished_on_time": int((f & t).sum()), "finished_late": int((f & ~t).sum()),
            "in_progress_within_deadline": int((o & t).sum()), "in_progress_overdue": int((o & ~t).sum()),
            "value": values(np.array([num]), np.array([den]))[0],
        }

    @staticmethod
    def _count(codes, k, arr):
        ok = codes >= 0
        if arr.dtype == bool:
            return np.bincount(codes[ok & arr], minlength=k).astype(np.int64)
        return np.bincount(codes[ok], weights=arr[ok].astype(np.float64), minlength=k).round().astype(np.int64)

    def by_domain(self, ev: dict, period: str) -> pd.DataFrame:
        k = len(self.dom_keys)
        c = self.dom_codes
        rec = ev["received"]
        cols = {
            "received": self._count(c, k, rec),
            "online": self._count(c, k, rec & (self.kenh == 2)),
            "in_scope": self._count(c, k, ev["scope"]),
            "on_time": self._count(c, k, ev["on_time"]),
        }
        out = pd.DataFrame({"period": period, "MaLinhVuc": self.dom_keys, "TenLinhVuc": self.dom_names, **cols})
        out["late"] = out["in_scope"] - out["on_time"]
        out["on_time_value"] = values(out["on_time"], out["in_scope"])
        out["online_value"] = values(out["online"], out["received"])
        out = out.loc[(out["received"] > 0) | (out["in_scope"] > 0)]
        return out[["period", "MaLinhVuc", "TenLinhVuc", "received", "online", "online_value",
                    "in_scope", "on_time", "late", "on_time_value"]]

    def by_procedure(self, ev: dict, period: str) -> pd.DataFrame:
        k = len(self.proc_keys)
        c = self.proc_codes
        rec, scope, fin = ev["received"], ev["scope"], ev["finished"]
        out = pd.DataFrame({
            "period": period, "MaTTHC": self.proc_keys, "TenTTHC": self.proc_names,
            "MaLinhVuc": np.where(self.proc_dom >= 0, self.dom_keys[np.maximum(self.proc_dom, 0)] if len(self.dom_keys) else "", ""),
            "TenLinhVuc": np.where(self.proc_dom >= 0, self.dom_names[np.maximum(self.proc_dom, 0)] if len(self.dom_keys) else "", ""),
            "received": self._count(c, k, rec),
            "in_scope": self._count(c, k, scope),
            "on_time": self._count(c, k, ev["on_time"]),
            "finished": self._count(c, k, fin),
            "supplement_requests": self._count(c, k, ev["sup_count"]),
            "dossiers_with_supplements": self._count(c, k, ev["sup_count"] > 0),
        })
        out["late"] = out["in_scope"] - out["on_time"]
        out["on_time_value"] = values(out["on_time"], out["in_scope"])
        sel = fin & (c >= 0)
        days = (self.fin[sel] - self.tn[sel]) / DAY
        g = pd.Series(days).groupby(c[sel])
        med = g.median().reindex(range(k))
        mean = g.mean().reindex(range(k))
        out["processing_days_median"] = med.to_numpy(dtype=np.float64)
        out["processing_days_mean"] = mean.to_numpy(dtype=np.float64)
        out = out.loc[(out["received"] > 0) | (out["in_scope"] > 0)]
        return out[["period", "MaTTHC", "TenTTHC", "MaLinhVuc", "TenLinhVuc", "received", "in_scope",
                    "on_time", "late", "on_time_value", "finished", "processing_days_median",
                    "processing_days_mean", "supplement_requests", "dossiers_with_supplements"]]

    def by_channel(self, ev: dict, period: str) -> pd.DataFrame:
        rec = ev["received"]
        rows = []
        total = int(rec.sum())
        for code, label in CHANNELS.items():
            m = self.kenh == code
            r = int((rec & m).sum())
            s = int((ev["scope"] & m).sum())
            t = int((ev["on_time"] & m).sum())
            rows.append({"period": period, "KenhThucHien": code, "TenKenh": label, "received": r,
                         "share": values(np.array([r]), np.array([total]))[0],
                         "in_scope": s, "on_time": t, "late": s - t,
                         "on_time_value": values(np.array([t]), np.array([s]))[0]})
        return pd.DataFrame(rows)

    def by_month(self, ev: dict, b: Bounds, year: int, last_month: int) -> pd.DataFrame:
        """Year-to-date months (January … the period's last month)."""
        rec, fin, t = ev["received"], ev["finished"], ev["on_time"]
        rows = []
        for m in range(1, last_month + 1):
            lo = int(pd.Timestamp(year, m, 1).as_unit("ns").value)
            hi = int((pd.Timestamp(year, m, 1) + pd.offsets.MonthBegin(1)).as_unit("ns").value)
            hi = min(hi, b.end_excl)
            in_tn = ~self.tn_na & (self.tn >= lo) & (self.tn < hi)
            in_fin = ~self.fin_na & (self.fin >= lo) & (self.fin < hi)
            r = int((rec & in_tn).sum())
            on = int((rec & in_tn & (self.kenh == 2)).sum())
            f = int((fin & in_fin).sum())
            ft = int((fin & in_fin & t).sum())
            rows.append({"month": f"{year:04d}-{m:02d}", "received": r, "online": on,
                         "online_value": values(np.array([on]), np.array([r]))[0],
                         "finished": f, "finished_on_time": ft,
                         "finished_on_time_value": values(np.array([ft]), np.array([f]))[0]})
        return pd.DataFrame(rows)
