"""``hocvuso xapi status|dead|retry|send``: the outbox of xAPI statements (docs/xapi.md)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy.ext.asyncio import AsyncEngine

from hocvuso.cli import runs
from hocvuso.config import get_settings
from hocvuso.delivery import xapi
from hocvuso.storage.types import utcnow
from hocvuso.storage.xapi import XapiState

xapi_app = typer.Typer(
    help="xAPI statements for the Learning Record Store: status, dead letters, send.",
    no_args_is_help=True,
)
console = Console()
T = TypeVar("T")


def _run(work: Callable[[AsyncEngine], Awaitable[T]]) -> T:
    return asyncio.run(runs.with_database(get_settings(), work))


@xapi_app.command("status")
def status() -> None:
    """Statements by state, and where they go."""
    settings = get_settings()
    counts = _run(xapi.counts)
    table = Table("state", "statements")
    for state in XapiState:
        table.add_row(state.value, str(counts.get(state.value, 0)))
    console.print(table)
    if settings.xapi_endpoint:
        console.print(f"LRS: {settings.xapi_endpoint}")
    else:
        console.print("No LRS configured (HOCVUSO_XAPI_ENDPOINT): no statement is written.")


@xapi_app.command("dead")
def dead(limit: int = typer.Option(200, min=1, help="Show at most this many.")) -> None:
    """The dead letters: refused by the LRS, or failed too many times."""
    rows = _run(lambda database: xapi.dead_letters(database, limit))
    table = Table("statement", "verb", "attempts", "last error", "recorded")
    for row in rows:
        table.add_row(
            row.id, row.verb, str(row.attempts), row.last_error or "", row.created_at.isoformat()
        )
    console.print(table)
    if not rows:
        console.print("No dead letters.")


@xapi_app.command("retry")
def retry(
    statement_id: str = typer.Argument(None, help="One dead letter's id."),
    every: bool = typer.Option(False, "--all", help="Every dead letter."),
) -> None:
    """Put dead letters back in the outbox: the next sweep sends them."""
    if (statement_id is None) == (not every):
        console.print("[red]Give one statement id, or --all (not both).[/red]")
        raise typer.Exit(2)
    count = _run(lambda database: xapi.requeue(database, statement_id, utcnow()))
    if statement_id is not None and count == 0:
        console.print(f"[red]No dead letter {statement_id}.[/red]")
        raise typer.Exit(1)
    console.print(f"{count} statements queued again")


@xapi_app.command("send")
def send() -> None:
    """Send what is due now (one sweep), instead of waiting for the scheduler."""
    settings = get_settings()
    if not settings.xapi_endpoint:
        console.print("[red]HOCVUSO_XAPI_ENDPOINT is not set: there is no LRS to send to.[/red]")
        raise typer.Exit(1)
    swept = _run(lambda database: xapi.send_now(database, settings))
    console.print(f"{swept.sent} sent, {swept.retried} to retry, {swept.dead} dead letters")
    if swept.errors:
        console.print(f"[yellow]LRS: {swept.errors[-1]}[/yellow]")
        raise typer.Exit(1)
