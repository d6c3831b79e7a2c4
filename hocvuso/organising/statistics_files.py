"""The question and retention statistics as plain tables (headers and cells), for the command
line's table and CSV and for an XLSX file; column names come from the message catalogs."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from hocvuso.i18n import plain, t
from hocvuso.organising.certified import xlsx
from hocvuso.organising.question_stats import QuestionStats, Source
from hocvuso.organising.retention import Group, Retention

LETTERS = "ABCDEFGHIJKL"
QUESTION_KEYS = (
    "question",
    "level",
    "area",
    "attempts",
    "correct",
    "facility",
    "discrimination",
    "efficiency",
    "flags",
    "key",
)


def number(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def questions_title(source: Source, language: str = "vi") -> str:
    return plain(t(language, f"qstats-title-{source.value}"))


def question_table(
    stats: Sequence[QuestionStats], language: str = "vi"
) -> tuple[list[str], list[list[Any]]]:
    """Headers and rows: the indices (percent, one decimal), the flags, the key's letter, and
    the share of answers (percent) that chose each option, A, B, …"""
    width = max((len(q.options) for q in stats), default=0)
    headers = [plain(t(language, f"qstats-col-{key}")) for key in QUESTION_KEYS]
    headers += [plain(t(language, "qstats-col-option", letter=LETTERS[i])) for i in range(width)]
    rows = []
    for q in stats:
        key = next((LETTERS[o.index] for o in q.options if o.correct), "")
        flags = ", ".join(plain(t(language, f"qstats-flag-{flag.value}")) for flag in q.flags)
        row: list[Any] = [
            q.question_id,
            q.level,
            q.area,
            q.attempts,
            q.correct,
            number(q.facility),
            number(q.discrimination),
            number(q.efficiency),
            flags,
            key,
        ]
        row += [number(o.percent) for o in q.options]
        row += [None] * (width - len(q.options))
        rows.append(row)
    return headers, rows


def to_xlsx(title: str, headers: list[str], rows: Sequence[Sequence[Any]]) -> bytes:
    return xlsx(title, headers, (list(row) for row in rows), "B2")


RETENTION_KEYS = ("level", "area", "bin", "reviews", "predicted", "measured", "gap")


def _percent(value: float | None) -> float | None:
    return None if value is None else round(100 * value, 1)


def _retention_row(
    group: Group,
    label: str,
    reviews: int,
    predicted: float | None,
    measured: float | None,
    language: str,
) -> list[Any]:
    gap = None if predicted is None or measured is None else measured - predicted
    return [
        group.level if group.level is not None else plain(t(language, "retention-all")),
        group.area or plain(t(language, "retention-all")),
        label,
        reviews,
        _percent(predicted),
        _percent(measured),
        _percent(gap),
    ]


def retention_table(report: Retention, language: str = "vi") -> tuple[list[str], list[list[Any]]]:
    """Per group: its line over all bins, then one line per bin that holds reviews; the total
    last. Percentages with one decimal; the gap is measured minus predicted."""
    headers = [plain(t(language, f"retention-col-{key}")) for key in RETENTION_KEYS]
    rows = []
    everything = plain(t(language, "retention-all-bins"))
    for group in (*report.groups, report.total):
        rows.append(
            _retention_row(
                group, everything, group.reviews, group.predicted, group.measured, language
            )
        )
        for b in group.bins:
            if b.reviews:
                label = f"{round(100 * b.low)}–{round(100 * b.high)}%"
                rows.append(
                    _retention_row(group, label, b.reviews, b.predicted, b.measured, language)
                )
    return headers, rows
