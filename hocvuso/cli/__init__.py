"""The ``hocvuso`` command line."""

from __future__ import annotations

import asyncio
import getpass
import logging
from pathlib import Path

import typer
from rich.console import Console

from hocvuso.cli.bots import bots_app
from hocvuso.cli.certificate_pdf import pdf_command
from hocvuso.cli.certificates import certificate_app
from hocvuso.cli.exports import export_app
from hocvuso.cli.organising import audit_command, report_command, roles_app, units_app
from hocvuso.cli.scheduler import broadcast_app, campaign_app, scheduler_command
from hocvuso.cli.statistics import backfill_recall_command, questions_command, retention_command
from hocvuso.cli.web import web_command
from hocvuso.cli.xapi import xapi_app
from hocvuso.config import Settings, get_settings

app = typer.Typer(
    name="hocvuso",
    help="hocvuso: chat-bot learning for the 'Bình dân học vụ số' movement.",
    no_args_is_help=True,
    add_completion=False,
)
db_app = typer.Typer(help="The central store.", no_args_is_help=True)
app.add_typer(db_app, name="db")
db_app.command("backfill-recall")(backfill_recall_command)

app.add_typer(campaign_app, name="campaign")
app.add_typer(broadcast_app, name="broadcast")
app.command("scheduler")(scheduler_command)
app.add_typer(bots_app, name="bots")
app.add_typer(units_app, name="units")
app.add_typer(roles_app, name="roles")
report_app = typer.Typer(invoke_without_command=True)
report_app.callback(invoke_without_command=True)(report_command)
report_app.command("questions")(questions_command)
report_app.command("retention")(retention_command)
app.add_typer(report_app, name="report")
app.command("audit")(audit_command)
certificate_app.command("pdf")(pdf_command)
app.add_typer(certificate_app, name="certificate")
app.command("web")(web_command)
app.add_typer(xapi_app, name="xapi")
app.add_typer(export_app, name="export")

try:  # the content authoring tools
    from hocvuso.content.cli import app as content_app

    app.add_typer(content_app, name="content", help="Lint, import and count content packs.")
except ImportError:  # pragma: no cover - only while the tools are being built
    pass


def _logging(settings: Settings) -> None:
    logging.basicConfig(
        level=settings.log_level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    logging.getLogger("aiogram.event").setLevel(logging.WARNING)


@db_app.command("upgrade")
def db_upgrade(revision: str = typer.Argument("head")) -> None:
    """Apply database migrations."""
    from hocvuso.storage import db

    settings = get_settings()
    db.upgrade(settings.resolved_database_url, revision)
    typer.echo(f"database at {revision}")


@app.command()
def run(
    webhook: bool = typer.Option(
        False, "--webhook", help="Webhook mode (needs HOCVUSO_WEBHOOK_URL); default long polling."
    ),
    workers: int = typer.Option(
        1,
        "--workers",
        min=1,
        help="Webhook mode: this many bot processes behind the one address (PostgreSQL only).",
    ),
    bot_names: list[str] = typer.Option(
        [],
        "--bot",
        help="Serve only this registered bot (repeatable); default every bot whose token is set.",
    ),
) -> None:
    """Run the Telegram bots together with the scheduler (reminders, campaigns, broadcasts)."""
    settings = get_settings()
    _logging(settings)
    if webhook or settings.webhook_url:
        settings.require_webhook_secret()  # here: a worker that cannot start would be restarted
    if workers > 1:
        from hocvuso.cli import workers as supervisor

        if not (webhook or settings.webhook_url) or not settings.webhook_url:
            raise typer.BadParameter("--workers needs webhook mode (HOCVUSO_WEBHOOK_URL)")
        if settings.is_sqlite:
            raise typer.BadParameter(
                "--workers needs PostgreSQL (HOCVUSO_DATABASE_URL): the embedded SQLite "
                "database has one writer, so one process serves it best"
            )
        asyncio.run(
            supervisor.supervise(workers, [a for name in bot_names for a in ("--bot", name)])
        )
        return

    from hocvuso.cli.serve import serve

    asyncio.run(serve(settings, webhook=webhook, bot_names=bot_names))


@app.command()
def chat(
    user: int = typer.Option(1, help="Local learner number (several people can share a machine)."),
    name: str = typer.Option(None, help="Your name on certificates (default: your login)."),
) -> None:
    """Learn in the terminal: the same engine, the embedded database, no Telegram needed."""
    settings = get_settings()
    logging.basicConfig(level=logging.WARNING)
    console = Console()

    async def main() -> None:
        from hocvuso import runtime
        from hocvuso.bot.local.chat import LocalChat

        rt = await runtime.start(settings)
        local = LocalChat(
            rt.engine,
            console,
            Path(settings.data_dir) / "downloads",
            chat_id=user,
            name=name or getpass.getuser(),
            language=settings.language,
        )
        try:
            await local.run(lambda: console.input("[bold]› [/bold]"))
        finally:
            await rt.close()

    asyncio.run(main())
