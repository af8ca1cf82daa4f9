#!/usr/bin/env python3
"""Trang minh bạch CCHC phường Chơn Thành — build the site from the quarter data.

The story of a build (cchc.build.build):

    validate   every input of every quarter passes Great Expectations first
    compute    the plan's indicators, per quarter and year-to-date
    execute    papermill runs the page notebooks, one run per quarter
    render     Quarto (or the documented fallback) renders the executed notebooks
    publish    the new site replaces site/ in one atomic step

Commands:
    python pipeline.py                     same as `build` with the defaults (data/ → site/)
    python pipeline.py build [--data DIR] [--site DIR] [--quarter 2026Q1 ...] [--jobs N] [--keep-going] [--plan DIR]
    python pipeline.py validate [--data DIR] [--quarter ...]
    python pipeline.py render              re-render from the last executed notebooks
    python pipeline.py report --quarter 2026Q3 [--data DIR] [--out DIR]   the quarter's CCHC report (DOCX)
    python pipeline.py clean
    python pipeline.py serve [--port N]    preview the built site on localhost
    python pipeline.py new-quarter 2027Q1 [--data DIR] [--sample]
    python pipeline.py templates --quarter 2027Q1 [--data DIR] [--out DIR]
    python pipeline.py collect --quarter 2027Q1 DIR [--data DIR] [--force]

Exit codes: 0 success, 2 invalid input, 1 anything else. Errors are messages;
add --debug for a traceback.
"""
from __future__ import annotations

import argparse
import gc
import logging
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))

from cchc import build as b  # noqa: E402


def parse_args(argv):
    p = argparse.ArgumentParser(prog="pipeline.py", description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--debug", action="store_true", help="show tracebacks")
    sub = p.add_subparsers(dest="command")

    def common(sp, site=True):
        sp.add_argument("--data", type=Path, default=ROOT / "data", help="folder of quarter folders (default: data/)")
        if site:
            sp.add_argument("--site", type=Path, default=ROOT / "site", help="output folder (default: site/)")
        sp.add_argument("--debug", action="store_true", help="show tracebacks")

    sp = sub.add_parser("build", help="validate, compute, execute notebooks, render, publish")
    common(sp)
    sp.add_argument("--quarter", nargs="+", metavar="YYYYQn", help="only these quarters")
    sp.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="notebooks run in parallel (default: cores)")
    sp.add_argument("--keep-going", action="store_true", help="publish the valid quarters when one fails")
    sp.add_argument("--renderer", choices=["auto", "quarto", "fallback"], default="auto")
    sp.add_argument("--plan", type=Path, metavar="DIR",
                    help="compute with another plan than the committed data/plan (every page says so)")

    sp = sub.add_parser("validate", help="check the inputs only")
    common(sp, site=False)
    sp.add_argument("--quarter", nargs="+", metavar="YYYYQn")

    sp = sub.add_parser("render", help="re-render from the last executed notebooks")
    common(sp)
    sp.add_argument("--renderer", choices=["auto", "quarto", "fallback"], default="auto")

    sp = sub.add_parser("report", help="the quarter's CCHC report, bao-cao-cchc-<YYYYQn>.docx")
    common(sp, site=False)
    sp.add_argument("--quarter", required=True, metavar="YYYYQn")
    sp.add_argument("--out", type=Path, default=ROOT / "_build" / "reports",
                    help="output folder (default: _build/reports/)")

    sp = sub.add_parser("clean", help="remove site/, _build/ and .cache/")
    common(sp)

    sp = sub.add_parser("serve", help="preview the built site on localhost")
    sp.add_argument("--site", type=Path, default=ROOT / "site")
    sp.add_argument("--port", type=int, default=8000)
    sp.add_argument("--debug", action="store_true")

    sp = sub.add_parser("new-quarter", help="create data/<YYYYQn>/ with a quarter.yml to fill in")
    sp.add_argument("new_quarter", metavar="YYYYQn")
    common(sp, site=False)
    sp.add_argument("--sample", action="store_true", help="mark the quarter as sample data (sample: true)")

    sp = sub.add_parser("templates", help="one Excel workbook per lead unit, to fill in and return")
    sp.add_argument("--quarter", required=True, metavar="YYYYQn")
    common(sp, site=False)
    sp.add_argument("--out", type=Path, default=None, help="output folder (default: _build/bieu-mau/YYYYQn/)")

    sp = sub.add_parser("collect", help="returned workbooks -> the quarter's tien_do.xlsx and bao_cao.xlsx")
    sp.add_argument("--quarter", required=True, metavar="YYYYQn")
    sp.add_argument("returned", type=Path, metavar="DIR", help="folder of the workbooks the units returned")
    common(sp, site=False)
    sp.add_argument("--force", action="store_true", help="replace existing files (the old ones are kept)")

    args = p.parse_args(argv)
    if args.command is None:
        args = p.parse_args(["build", *argv])
    return args


def options(args) -> b.BuildOptions:
    kw = {"data_dir": args.data}
    if getattr(args, "site", None) is not None:
        kw["site_dir"] = args.site
    for name, attr in (("quarters", "quarter"), ("jobs", "jobs"), ("keep_going", "keep_going"),
                       ("renderer", "renderer"), ("plan", "plan")):
        if getattr(args, attr, None) is not None:
            kw[name] = getattr(args, attr)
    return b.BuildOptions(**kw)


def print_summary(summary: b.BuildSummary, out) -> None:
    for report in summary.reports:
        print(report, file=sys.stderr)
    for line in summary.lines():
        print(line, file=out)


def cmd_build(args) -> int:
    try:
        summary = b.build(options(args))
    except b.BuildError as exc:
        if getattr(exc, "summary", None) is not None:
            print_summary(exc.summary, sys.stderr)
        raise
    print_summary(summary, sys.stdout)
    print(f"Trang đã dựng / site built: {options(args).site_dir / 'index.html'}")
    return 0


def cmd_validate(args) -> int:
    verdicts, report = b.validate_only(options(args))
    for v in verdicts.values():
        print(v.report)
    print(f"Báo cáo / report: {report}")
    bad = [q for q, v in verdicts.items() if not v.ok]
    if bad:
        print("Dữ liệu không hợp lệ / invalid input: " + ", ".join(bad), file=sys.stderr)
        return 2
    print("Dữ liệu hợp lệ / all inputs valid: " + ", ".join(verdicts))
    return 0


def cmd_render(args) -> int:
    renderer = b.rerender(options(args))
    print(f"Đã dựng lại trang bằng / re-rendered with: {renderer}")
    return 0


def cmd_report(args) -> int:
    import time

    from cchc import report

    t0 = time.perf_counter()
    path, warnings = report.run(args.quarter, args.data, args.out)
    for w in warnings:
        print(f"Cảnh báo / warning: {w}", file=sys.stderr)
    print(f"Báo cáo / report: {path} ({time.perf_counter() - t0:.1f} s)")
    return 0


def cmd_clean(args) -> int:
    for p in b.clean(options(args)):
        print(f"Đã xóa / removed {p}")
    return 0


def cmd_serve(args) -> int:
    import functools
    import http.server

    site = args.site.resolve()
    if not (site / "index.html").exists():
        raise b.BuildError(f"Chưa có trang tại {site}; hãy chạy `python pipeline.py build` / no site built yet")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    with http.server.ThreadingHTTPServer(("127.0.0.1", args.port), handler) as httpd:
        print(f"Xem trước tại / preview at http://127.0.0.1:{httpd.server_address[1]}/ (Ctrl+C để dừng / to stop)")
        try:
            httpd.serve_forever()
        except KeyboardInterrupt:
            pass
    return 0


def _collecting(fn):
    """Collection errors are invalid input (exit code 2), reported like the build's."""
    from cchc.collect import CollectError
    from cchc.loader import LoadError
    from cchc.plan import PlanError

    try:
        return fn()
    except (CollectError, LoadError, PlanError) as exc:
        raise b.InvalidInputError(str(exc)) from exc


def cmd_new_quarter(args) -> int:
    from cchc.collect.newquarter import new_quarter

    path = _collecting(lambda: new_quarter(args.new_quarter, args.data, sample=args.sample))
    print(f"Đã tạo / created {path}\nSửa tệp này (nguồn, ngày xuất) rồi chép các tệp xuất vào {path.parent} / "
          "edit it, then copy the exports into that folder")
    return 0


def cmd_templates(args) -> int:
    from cchc.collect.templates import write_templates

    plan_dir = options(args).plan_dir
    for path in _collecting(lambda: write_templates(args.quarter, plan_dir, args.data, args.out)):
        print(f"Đã ghi / wrote {path}")
    return 0


def cmd_collect(args) -> int:
    from cchc.collect.collect import collect

    plan_dir = options(args).plan_dir
    result = _collecting(lambda: collect(args.quarter, args.returned, args.data, plan_dir, force=args.force))
    for line in result.lines():
        print(line)
    print(f"Tiếp theo / next: python pipeline.py validate --quarter {args.quarter}")
    return 0


COMMANDS = {"build": cmd_build, "validate": cmd_validate, "render": cmd_render, "report": cmd_report,
            "clean": cmd_clean, "serve": cmd_serve, "new-quarter": cmd_new_quarter, "templates": cmd_templates,
            "collect": cmd_collect}


# The cyclic garbage collector's first generation is collected after 10.000
# new container objects instead of 700: a build makes millions of short-lived
# ones (tables, notebook JSON, pages) and few cycles. Measured on a rebuild
# after one quarter changed: 0,85–1,06 s spent in collections with the
# default, 0,31–0,33 s with this (2 runs each).
GC_THRESHOLD = (10_000, 10, 10)


def main(argv=None) -> int:
    gc.set_threshold(*GC_THRESHOLD)
    args = parse_args(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(level=logging.DEBUG if args.debug else logging.INFO, format="%(message)s",
                        stream=sys.stderr)
    for noisy in ("great_expectations", "papermill", "traitlets", "asyncio", "blib2to3", "matplotlib",
                  "frictionless"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    try:
        return COMMANDS[args.command](args)
    except b.BuildError as exc:
        if args.debug:
            raise
        print(f"LỖI / ERROR: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("Đã dừng / interrupted", file=sys.stderr)
        return 1
    except Exception as exc:  # anything unexpected: a message, not a traceback
        if args.debug:
            raise
        print(f"LỖI / ERROR: {type(exc).__name__}: {exc}\n(chạy lại với --debug để xem chi tiết / rerun with "
              "--debug for details)", file=sys.stderr)
        return 1


if __name__ == "__main__":
    code = main()
    # The work is done: objects are left to the process's end instead of being collected one by one at
    # interpreter shutdown (about 0,7 s once Great Expectations is loaded). Exit handlers still run.
    gc.freeze()
    sys.exit(code)
