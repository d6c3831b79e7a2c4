"""``hocvuso certificate pdf CODE -o FILE``: write a certificate's PDF (the one the chat sends).

It reads the stored certificate and its signed credential; nothing is signed or changed here.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.markup import escape

from hocvuso.config import get_settings

if TYPE_CHECKING:
    from hocvuso.learning import certificate_pdf

console = Console(stderr=True)

_WHY = {
    "unknown": "no certificate has the code {code}",
    "revoked": "certificate {code} was revoked: it has no PDF any more (its check page says so)",
}


async def _render(code: str) -> certificate_pdf.CertificatePdf:
    from hocvuso import runtime
    from hocvuso.learning import certificate_pdf
    from hocvuso.storage import db

    rt = await runtime.start(get_settings())
    try:
        async with db.make_sessionmaker(rt.database)() as session:
            return await certificate_pdf.certificate_pdf(session, rt.pack, rt.settings, code)
    finally:
        await rt.close()


def _target(output: Path | None, filename: str) -> Path:
    if output is None:
        return Path(filename)
    return output / filename if output.is_dir() else output


def _write(path: Path, content: bytes) -> None:
    """All or nothing: a reader never sees half a PDF, a failed write leaves the old file."""
    handle, temporary = tempfile.mkstemp(prefix=".certificate-", suffix=".pdf", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(content)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def pdf_command(
    code: str = typer.Argument(..., help="The certificate's code (on it, and in /certificate)."),
    output: Path | None = typer.Option(
        None,
        "--output",
        "-o",
        help="The PDF file, or a folder for it (default: hocvuso-chung-nhan-CODE.pdf here).",
    ),
) -> None:
    """Write a certificate's PDF (QR code to its check page, signed credential attached)."""
    if not code.strip():
        raise typer.BadParameter("give the certificate's code, like HV7K3MQ2", param_hint="CODE")
    if output is not None and not output.is_dir() and not output.parent.is_dir():
        raise typer.BadParameter(f"the folder {output.parent} does not exist", param_hint="-o")
    from hocvuso.learning.certificate_pdf import NoPdf  # fpdf2 loads only when it is needed

    try:
        made = asyncio.run(_render(code))
    except NoPdf as exc:
        console.print(f"[red]{escape(_WHY[exc.reason].format(code=exc.code))}[/red]")
        raise typer.Exit(1) from exc
    path = _target(output, made.filename)
    try:
        _write(path, made.content)
    except OSError as exc:
        console.print(f"[red]cannot write {escape(str(path))}: {escape(exc.strerror or '')}[/red]")
        raise typer.Exit(1) from exc
    typer.echo(f"written {path} ({len(made.content) // 1024} KB)")
