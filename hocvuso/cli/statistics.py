"""``hocvuso report questions`` and ``hocvuso report retention``: parse, call one domain
function, render as a table, CSV or XLSX. The command line acts as an admin; every view and
export is audited (``via = cli``)."""

from __future__ import annotations

import asyncio
import csv
import io
import sys
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from sqlmodel.ext.asyncio.session import AsyncSession

from hocvuso.cli import runs
from hocvuso.config import get_settings
from hocvuso.content.loader import Pack
from hocvuso.i18n import plain, t
from hocvuso.organising import question_stats as qs
from hocvuso.organising import retention
from hocvuso.organising import statistics_files as files
from hocvuso.organising.certified import safe
from hocvuso.organising.errors import StaffError
from hocvuso.organising.permissions import CLI
from hocvuso.storage.types import utcnow

T = TypeVar("T")
FORMATS = ("table", "csv", "xlsx")
console = Console()


def _run(work: Callable[[AsyncSession, Pack], Awaitable[T]]) -> T:
    settings = get_settings()

    try:
        return asyncio.run(
            runs.in_transaction(settings, lambda session, rt: work(session, rt.pack))
        )
    except StaffError as exc:
        console.print(f"[red]{escape(plain(exc.message(settings.language)))}[/red]")
        raise typer.Exit(1) from exc


def _check(format: str, output: Path | None) -> None:
    if format not in FORMATS:
        raise typer.BadParameter(f"--format must be one of {', '.join(FORMATS)}")
    if format == "xlsx" and output is None:
        raise typer.BadParameter("--format xlsx needs --output FILE.xlsx")


def _write(
    title: str,
    headers: list[str],
    rows: Sequence[Sequence[Any]],
    format: str,
    output: Path | None,
) -> None:
    if format == "table":
        table = Table(*(escape(h) for h in headers), title=escape(title))
        for row in rows:
            table.add_row(*(escape("—" if v is None else str(v)) for v in row))
        console.print(table)
        return
    if format == "xlsx":
        assert output is not None
        output.write_bytes(files.to_xlsx(title, headers, rows))
        console.print(f"written {output}")
        return
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    writer.writerows([safe("" if v is None else v) for v in row] for row in rows)
    if output is None:
        sys.stdout.write(out.getvalue())
        return
    output.write_text(out.getvalue(), encoding="utf-8-sig")  # BOM: Excel reads UTF-8
    console.print(f"written {output}")


def questions_command(
    unit: str = typer.Option(None, "--unit", help="Unit code (default: everyone)."),
    level: int = typer.Option(None, "--level", help="Only this level's questions."),
    lessons: bool = typer.Option(
        False, "--lessons", help="Analyse lesson answers (first answers) instead of exams."
    ),
    format: str = typer.Option("table", "--format", help="table | csv | xlsx"),
    output: Path = typer.Option(None, "--output", "-o", help="File (xlsx: required)."),
) -> None:
    """Item analysis per question (Moodle's facility, discrimination index, discriminative
    efficiency), flags and option shares: docs/question-statistics.md."""
    _check(format, output)
    language = get_settings().language
    source = qs.Source.LESSON if lessons else qs.Source.EXAM

    async def work(session: AsyncSession, pack: Pack) -> list[qs.QuestionStats]:
        _unit, stats = await qs.access_question_stats(
            session,
            CLI,
            pack,
            unit,
            utcnow(),
            source=source,
            level=level,
            export=None if format == "table" else format,
        )
        return stats

    stats = _run(work)
    headers, rows = files.question_table(stats, language)
    _write(files.questions_title(source, language), headers, rows, format, output)


def retention_command(
    unit: str = typer.Option(None, "--unit", help="Unit code (default: everyone)."),
    level: int = typer.Option(None, "--level", help="Only this level's questions."),
    since: str = typer.Option(None, "--since", help="Only reviews from YYYY-MM-DD (UTC)."),
    format: str = typer.Option("table", "--format", help="table | csv | xlsx"),
    output: Path = typer.Option(None, "--output", "-o", help="File (xlsx: required)."),
) -> None:
    """FSRS-predicted recall at review time against measured recall, per level and area, in
    bins of predicted recall: docs/question-statistics.md."""
    _check(format, output)
    try:
        start = datetime.combine(date.fromisoformat(since), time(), UTC) if since else None
    except ValueError:
        raise typer.BadParameter("--since must be a date, YYYY-MM-DD") from None
    language = get_settings().language

    async def work(session: AsyncSession, pack: Pack) -> retention.Retention:
        _unit, report = await retention.access_retention(
            session,
            CLI,
            pack,
            unit,
            utcnow(),
            level=level,
            since=start,
            export=None if format == "table" else format,
        )
        return report

    headers, rows = files.retention_table(_run(work), language)
    _write(plain(t(language, "retention-title")), headers, rows, format, output)


def backfill_recall_command(
    learners: int = typer.Option(500, "--batch", min=1, help="Learners per transaction."),
) -> None:
    """Store the predicted recall of the reviews recorded before migration 0012 (replayed
    once, in batches of learners, each its own transaction), so that the retention report
    replays nothing. Safe to run while learners study, and again: it resumes where none is
    stored yet."""
    from hocvuso.storage import db

    async def work(engine: Any) -> int:
        sessions = db.make_sessionmaker(engine)
        after = batches = 0
        while True:
            async with sessions() as session, session.begin():
                last = await retention.backfill(session, after, learners)
            if last is None:
                return batches
            batches, after = batches + 1, last
            typer.echo(f"batch {batches}: learners up to id {last}")

    batches = asyncio.run(runs.with_database(get_settings(), work))
    typer.echo(f"predicted recall stored ({batches} batches)")
