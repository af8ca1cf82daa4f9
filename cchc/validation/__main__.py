"""``python -m cchc.validation <quarter folder>... [--plan data/plan]``

Validates each quarter folder, prints the bilingual report and exits 0 when
every quarter is valid, 2 when any has an error (1 on a usage problem).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .core import InvalidInput, validate_quarter
from .report import format_report, write_report

ROOT = Path(__file__).resolve().parents[2]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m cchc.validation",
        description="Kiểm tra dữ liệu một quý / validate quarter folders (data/<YYYYQn>)")
    parser.add_argument("folders", nargs="+", type=Path, help="data/<YYYYQn> folders")
    parser.add_argument("--plan", type=Path, default=ROOT / "data" / "plan", help="plan folder (tasks.csv, targets.csv)")
    parser.add_argument("--data-dir", type=Path, default=None,
                        help="the folder quarter folders must sit in (default: each folder's parent)")
    parser.add_argument("--report-txt", type=Path, default=None, help="write the private text report here")
    parser.add_argument("--report-json", type=Path, default=None, help="write the private JSON report here")
    args = parser.parse_args(argv)
    validations = [validate_quarter(f, args.plan, data_dir=args.data_dir) for f in args.folders]
    text = format_report(validations)
    sys.stdout.write(text)
    if args.report_txt or args.report_json:
        write_report(validations, args.report_txt or Path("validation-report.txt"),
                     args.report_json or Path("validation-report.json"))
    return InvalidInput.exit_code if any(not v.ok for v in validations) else 0


if __name__ == "__main__":
    sys.exit(main())
