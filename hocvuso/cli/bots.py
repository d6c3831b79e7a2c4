"""``hocvuso bots``: the bots of this deployment (see :mod:`hocvuso.delivery.bots`)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy.ext.asyncio import AsyncEngine

from hocvuso.config import get_settings
from hocvuso.delivery import bots as registry

bots_app = typer.Typer(
    help="The bots of this deployment (one per province, say), sharing one store.",
    no_args_is_help=True,
)
console = Console()
T = TypeVar("T")


def _run(work: Callable[[AsyncEngine], Awaitable[T]]) -> T:
    async def main() -> T:
        from hocvuso import runtime

        rt = await runtime.start(get_settings())
        try:
            await registry.ensure_default(rt.database, rt.settings)
            return await work(rt.database)
        finally:
            await rt.close()

    try:
        return asyncio.run(main())
    except registry.BotError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from exc


@bots_app.command("add")
def bots_add(
    name: str = typer.Argument(..., help="A short name: hanoi, hue, ..."),
    token_env: str = typer.Option(
        ...,
        "--token-env",
        help="The environment variable that holds the bot's token (the token itself is never "
        "stored, nor typed on a command line).",
    ),
) -> None:
    """Register a bot; every `hocvuso run` that has its token variable serves it."""
    bot = _run(lambda database: registry.add(database, name, token_env))
    console.print(
        f"bot {bot.name} ({bot.id}) added; its token is read from ${bot.token_env}. "
        "Restart `hocvuso run` to serve it."
    )


@bots_app.command("list")
def bots_list() -> None:
    """The registered bots, their learners, and whether they are served."""
    bots = _run(registry.listed)
    table = Table("name", "id", "@name", "token variable", "learners", "added", "status")
    for bot in bots:
        table.add_row(
            bot.name,
            str(bot.id),
            f"@{bot.username}" if bot.username else "",
            bot.token_env,
            str(bot.learners),
            bot.added_at.date().isoformat(),
            f"retired {bot.retired_at.date().isoformat()}" if bot.retired_at else "active",
        )
    console.print(table)


@bots_app.command("retire")
def bots_retire(name: str = typer.Argument(...)) -> None:
    """Stop serving a bot. Its learners and their history stay; messages queued for them wait
    until the bot is added again."""
    bot = _run(lambda database: registry.retire(database, name))
    console.print(f"bot {bot.name} ({bot.id}) retired; {bot.learners} learners keep their history")
