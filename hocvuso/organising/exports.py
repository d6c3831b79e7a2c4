"""A report as a table, CSV, XLSX (openpyxl) or JSON: the same figures as /report.

The chat renders the texts here as Telegram HTML (:func:`hocvuso.i18n.t`); the cells of the
table, the CSV and the XLSX are plain text (:func:`hocvuso.i18n.plain`): names exactly as stored.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from hocvuso.i18n import plain, t
from hocvuso.organising.certified import safe
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
    if not row.joined:
        return t(language, "forecast-nobody")
    outlook = row.forecast.outlook
    when = row.forecast.when.strftime("%d/%m/%Y") if row.forecast.when else ""
    key = f"forecast-{outlook.value.replace('_', '-')}"
    return t(language, key, when=when, days=row.target.pace_days)


def row_name(row: Row, language: str = "vi") -> str:
    """The root's own row says that it counts only the people directly in the unit (HTML)."""
    return t(language, "report-direct", name=row.name) if row.direct else row.name


def percent(value: float | None, language: str = "vi") -> str:
    """``62,5%`` in Vietnamese (decimal comma), ``62.5%`` in English; ``—`` for none."""
    if value is None:
        return "—"
    text = f"{value:g}"
    return (text.replace(".", ",") if language == "vi" else text) + "%"


def headers(language: str = "vi") -> list[str]:
    return [plain(t(language, f"report-col-{key.replace('_', '-')}")) for key in KEYS]


def values(row: Row, language: str = "vi") -> list[Any]:
    """One row's cells, plain text."""
    return [
        row.code,
        plain(row_name(row, language)),
        row.joined,
        row.active,
        *row.certified,
        row.certified_percent,
        row.percent_of_target,
        plain(forecast_text(row, language)),
    ]


def rows(report: Report, language: str = "vi") -> list[list[Any]]:
    total = values(report.total, language)
    total[0] = ""  # not a unit: a code here would repeat the root's
    total[1] = plain(t(language, "report-total"))
    return [*(values(r, language) for r in report.rows), total]


def title(report: Report, language: str = "vi", *, markup: bool = True) -> str:
    """The heading: Telegram HTML for the chat, or (``markup=False``) plain text for files."""
    text = t(
        language,
        "report-title",
        unit=report.unit_name or t(language, "report-all-units"),
        date=report.today.strftime("%d/%m/%Y"),
        percent=report.target.percent,
        level=report.target.level,
        deadline=report.target.deadline.strftime("%d/%m/%Y"),
    )
    return text if markup else plain(text)


def to_csv(report: Report, language: str = "vi") -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers(language))
    writer.writerows(["" if v is None else safe(v) for v in row] for row in rows(report, language))
    return out.getvalue()


def to_xlsx(report: Report, language: str = "vi") -> bytes:
    from openpyxl import Workbook  # only an XLSX export needs it
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Báo cáo" if language == "vi" else "Report"
    sheet.append([title(report, language, markup=False)])
    sheet["A1"].font = Font(bold=True)
    sheet.append(headers(language))
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row in rows(report, language):
        sheet.append([safe(v) for v in row])  # a unit named "=…" stays text
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
            "direct": row.direct,
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
            "unassigned": report.unassigned,
            "total": item(report.total),
        },
        ensure_ascii=False,
        indent=2,
    )
