"""``hocvuso export …``: files for the systems that collect the programme's results. Parse, call
one domain function, write; the command line acts as an admin and every export is audited."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Literal

import typer
from rich.console import Console
from sqlmodel.ext.asyncio.session import AsyncSession

from hocvuso.cli.organising import _run
from hocvuso.config import get_settings
from hocvuso.credentials.issuer import issuer_from
from hocvuso.organising import certified as cert
from hocvuso.organising.permissions import CLI
from hocvuso.storage.types import utcnow

export_app = typer.Typer(help="Exports for the national platform.", no_args_is_help=True)
console = Console(stderr=True)


@export_app.command("certified")
def export_certified(
    unit: str = typer.Option(None, "--unit", help="Unit code (default: the whole tree)."),
    format: str = typer.Option("csv", "--format", help="csv | xlsx"),
    output: Path = typer.Option(None, "--output", "-o", help="File (xlsx: required)."),
    lang: str = typer.Option(None, "--lang", help="vi | en (default HOCVUSO_LANGUAGE)."),
    level: int = typer.Option(None, "--level", help="Only certificates of this level."),
) -> None:
    """The certified learners of a unit subtree (who agreed to the current terms), one row per
    certificate in force, with its verification URL (columns: docs/exports.md)."""
    if format not in cert.FORMATS:
        raise typer.BadParameter(f"--format must be one of {', '.join(cert.FORMATS)}")
    if format == "xlsx" and output is None:
        raise typer.BadParameter("--format xlsx needs --output FILE.xlsx")
    if lang not in (None, "vi", "en"):
        raise typer.BadParameter("--lang must be vi or en")
    settings = get_settings()
    language: Literal["vi", "en"] = lang or settings.language  # type: ignore[assignment]
    issuer = issuer_from(settings)

    async def work(session: AsyncSession) -> list[cert.Certified]:
        _unit, rows = await cert.access_certified(
            session,
            CLI,
            unit,
            issuer,
            utcnow(),
            consent=settings.consent_version,
            level=level,
            export=format,
        )
        return rows

    rows = _run(work)
    if format == "xlsx":
        output.write_bytes(cert.to_xlsx(rows, language))
    elif output is not None:
        # With a byte-order mark: Excel then reads the Vietnamese text as UTF-8.
        output.write_text(cert.to_csv(rows, language), encoding="utf-8-sig")
    else:
        sys.stdout.write(cert.to_csv(rows, language))
        return
    console.print(f"written {output} ({len(rows)} certificates)")
