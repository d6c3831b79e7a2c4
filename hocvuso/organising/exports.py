"""A report as a table, CSV, XLSX (openpyxl) or JSON: the same figures as /report."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from hocvuso.i18n import t
from hocvuso.organising.reports import LEVELS, Report, Row

KEYS = (
    "code",
    "name",
    "joined",
    "active_7d",
    *(f"certified_level_{n}" for n in LEVELS),
    "certified_percent",
    "percent_of_target",
    "forecast",
)


def forecast_text(row: Row, language: str = "vi") -> str:
    outlook = row.forecast.outlook
    when = row.forecast.when.strftime("%d/%m/%Y") if row.forecast.when else ""
    return t(language, f"forecast-{outlook.value.replace('_', '-')}", when=when)


def headers(language: str = "vi") -> list[str]:
    return [t(language, f"report-col-{key.replace('_', '-')}") for key in KEYS]


def values(row: Row, language: str = "vi") -> list[Any]:
    return [
        row.code,
        row.name,
        row.joined,
        row.active,
        *row.certified,
        row.certified_percent,
        row.percent_of_target,
        forecast_text(row, language),
    ]


def rows(report: Report, language: str = "vi") -> list[list[Any]]:
    total = values(report.total, language)
    total[1] = t(language, "report-total")
    return [*(values(r, language) for r in report.rows), total]


def title(report: Report, language: str = "vi") -> str:
    return t(
        language,
        "report-title",
        unit=report.unit_name or t(language, "report-all-units"),
        date=report.today.strftime("%d/%m/%Y"),
        percent=report.target.percent,
        level=report.target.level,
        deadline=report.target.deadline.strftime("%d/%m/%Y"),
    )


def to_csv(report: Report, language: str = "vi") -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers(language))
    writer.writerows(["" if v is None else v for v in row] for row in rows(report, language))
    return out.getvalue()


def to_xlsx(report: Report, language: str = "vi") -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Báo cáo" if language == "vi" else "Report"
    sheet.append([title(report, language)])
    sheet["A1"].font = Font(bold=True)
    sheet.append(headers(language))
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row in rows(report, language):
        sheet.append(row)
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "C3"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def to_json(report: Report) -> str:
    def item(row: Row) -> dict[str, Any]:
        return {
            "code": row.code,
            "name": row.name,
            "joined": row.joined,
            "active_7d": row.active,
            "certified": {str(n): c for n, c in zip(LEVELS, row.certified, strict=True)},
            "certified_percent": row.certified_percent,
            "percent_of_target": row.percent_of_target,
            "forecast": row.forecast.outlook.value,
            "forecast_date": row.forecast.when.isoformat() if row.forecast.when else None,
            "in_time": row.forecast.in_time,
        }

    return json.dumps(
        {
            "unit": report.unit_code,
            "date": report.today.isoformat(),
            "target": {
                "level": report.target.level,
                "percent": report.target.percent,
                "deadline": report.target.deadline.isoformat(),
            },
            "rows": [item(r) for r in report.rows],
            "total": item(report.total),
        },
        ensure_ascii=False,
        indent=2,
    )
