"""``hocvuso certificate …``: revoke, show, verify (offline), keys, backfill.

The command line acts as an admin (it holds the database); a revocation is audited with
``via = cli``. Messages are Vietnamese first, then English. ``verify`` exits 0 only when the
credential is valid, 1 when it is not (and says why), 2 when the input cannot be read.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Column, Table
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from hocvuso.cli import runs
from hocvuso.config import Settings, get_settings
from hocvuso.credentials import files, keys, multikey
from hocvuso.credentials.issuer import issuer_from
from hocvuso.i18n import plain
from hocvuso.learning import certification
from hocvuso.organising import certificates
from hocvuso.organising.errors import StaffError
from hocvuso.organising.permissions import CLI
from hocvuso.storage.models import Certificate
from hocvuso.storage.types import utcnow

if TYPE_CHECKING:
    from hocvuso.runtime import Runtime

certificate_app = typer.Typer(
    help="Signed certificates: revoke, show, verify, keys, backfill.", no_args_is_help=True
)
keys_app = typer.Typer(help="The signing keys: list, rotate.", no_args_is_help=True)
certificate_app.add_typer(keys_app, name="keys")
console = Console()
T = TypeVar("T")
ATTACHMENT = files.ATTACHMENT

STATES_VI = {
    "valid": "HỢP LỆ",
    "revoked": "ĐÃ THU HỒI",
    "unknown": "KHÔNG XÁC ĐỊNH",
    "tampered": "BỊ SỬA ĐỔI",
}


def _say(vi: str, en: str, *, style: str = "") -> None:
    for line in (vi, en):
        console.print(f"[{style}]{escape(line)}[/{style}]" if style else escape(line))


def _fail(vi: str, en: str, code: int = 2) -> typer.Exit:
    _say(vi, en, style="red")
    return typer.Exit(code)


def _run(work: Callable[[AsyncSession, Runtime], Awaitable[T]]) -> T:
    settings = get_settings()

    try:
        return asyncio.run(runs.in_transaction(settings, work))
    except StaffError as exc:
        vi, en = exc.message("vi"), exc.message("en")
        raise _fail(plain(vi), plain(en), 1) from exc


# --- revoke, show, backfill ---------------------------------------------------------------------
@certificate_app.command("revoke")
def revoke_command(
    code: str = typer.Argument(..., help="The certificate's code (HVS1-ABCD-EFGH)."),
    reason: str = typer.Option(..., "--reason", help="Why (kept with it; never shown publicly)."),
) -> None:
    """Revoke a certificate: its check page and the status list say "revoked" from now on."""

    async def work(session: AsyncSession, rt: Runtime) -> certificates.Revoked:
        return await certificates.do_revoke_certificate(session, CLI, code, reason, utcnow())

    done = _run(work)
    shown = done.certificate.id
    if done.changed:
        _say(f"Đã thu hồi chứng nhận {shown}.", f"Certificate {shown} is revoked.", style="green")
    else:
        _say(
            f"Chứng nhận {shown} đã bị thu hồi từ trước; không thay đổi gì.",
            f"Certificate {shown} was already revoked; nothing changed.",
        )


@certificate_app.command("show")
def show_command(code: str = typer.Argument(..., help="The certificate's code.")) -> None:
    """Print the signed credential (JSON) as issued."""

    async def work(session: AsyncSession, rt: Runtime) -> Certificate | None:
        return await certification.find(session, code)

    found = _run(work)
    if found is None:
        raise _fail(
            f"Không có chứng nhận nào mang mã {code.strip()}.",
            f"No certificate has the code {code.strip()}.",
            1,
        )
    if found.revoked_at is not None and found.credential is None:
        raise _fail(
            f"Chứng nhận {found.id} đã bị thu hồi.", f"Certificate {found.id} is revoked.", 1
        )
    if found.credential is None:
        raise _fail(
            f"Chứng nhận {found.id} chưa được ký: chạy `hocvuso certificate backfill`.",
            f"Certificate {found.id} is not signed yet: run `hocvuso certificate backfill`.",
            1,
        )
    typer.echo(json.dumps(found.credential, ensure_ascii=False, indent=2))


@certificate_app.command("backfill")
def backfill_command() -> None:
    """Sign the certificates issued before certificates were signed."""

    async def work(session: AsyncSession, rt: Runtime) -> int:
        ring = rt.engine.keyring()
        return await certification.backfill(session, rt.settings, ring, rt.pack)

    count = _run(work)
    _say(f"Đã ký {count} chứng nhận.", f"Signed {count} certificates.", style="green")


# --- verify -------------------------------------------------------------------------------------
def _read_document(path: Path) -> dict[str, Any]:
    try:
        return files.read_credential(path.read_bytes())
    except files.UnreadableCredential as problem:
        if problem.kind == "pdf":
            raise _fail(
                f"Không đọc được tệp PDF: {problem.detail}",
                f"The PDF cannot be read: {problem.detail}",
            ) from None
        if problem.kind == "attachment":
            raise _fail(
                f"Tệp PDF không đính kèm {ATTACHMENT}.", f"The PDF has no {ATTACHMENT} attachment."
            ) from None
        raise _fail(
            "Tệp không phải một chứng nhận JSON.", "The file is not a JSON credential."
        ) from None


def _foreign_key(text: str) -> Callable[[str], bytes | None]:
    try:
        public = multikey.decode_public(text)
    except ValueError:
        raise _fail(
            "--key phải là khoá công khai Ed25519 dạng Multikey (z6Mk…).",
            "--key must be an Ed25519 public Multikey (z6Mk…).",
        ) from None
    return lambda _method: public


def _revoked_in_store(settings: Settings) -> Callable[[dict[str, Any]], bool | None]:
    """Whether this deployment revoked one of its credentials (None: not ours, or no store)."""
    issuer = issuer_from(settings)

    def revoked(document: dict[str, Any]) -> bool | None:
        index = certification.status_index_of(document, issuer)
        if index is None:
            return None

        async def look() -> bool | None:
            from hocvuso.storage import db

            database = db.make_engine(settings.resolved_database_url)
            try:
                async with db.make_sessionmaker(database)() as session:
                    query = select(Certificate).where(Certificate.status_index == index)
                    found = (await session.exec(query)).first()
                    return None if found is None else found.revoked_at is not None
            finally:
                await database.dispose()

        try:
            return asyncio.run(look())
        except Exception:  # no store here: an offline check of the proof only
            return None

    return revoked


def _report(result: certification.Check) -> None:
    head_vi, head_en = STATES_VI[result.state], result.state.upper()
    if result.ok:
        details = " · ".join(
            str(part)
            for part in (
                result.name,
                result.level_title and f"{result.level_title} ({result.level})",
                result.issued_on and result.issued_on.strftime("%d/%m/%Y"),
                result.issuer_name,
            )
            if part
        )
        _say(f"{head_vi}: {details}", f"{head_en}: {details}", style="green")
        if result.reason:
            console.print(escape(f"(!) {result.reason}"))
        return
    _say(f"{head_vi}.", f"{head_en}: {result.reason}", style="red")


@certificate_app.command("verify")
def verify_command(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="A JSON credential or PDF."),
    key: str | None = typer.Option(
        None, "--key", help="A foreign issuer's Ed25519 public Multikey (z6Mk…)."
    ),
) -> None:
    """Check a credential offline; exit 0 only when it is valid."""
    document = _read_document(file)
    if key is not None:
        public_key_for = _foreign_key(key)
        revoked = None
    else:
        settings = get_settings()
        public_key_for = issuer_from(settings).public_key_for(keys.load_keyring(settings))
        revoked = _revoked_in_store(settings)
    result = certification.check_document(document, public_key_for, revoked=revoked)
    _report(result)
    raise typer.Exit(0 if result.ok else 1)


# --- keys ---------------------------------------------------------------------------------------
@keys_app.command("list")
def keys_list() -> None:
    """The signing keys (public halves): the newest signs, all of them verify."""
    settings = get_settings()
    ring = keys.load_keyring(settings)
    issuer = issuer_from(settings)
    table = Table("name", "created", Column("public key (Multikey)", no_wrap=True), "signs")
    for key in sorted(ring.keys, key=lambda k: k.created):
        table.add_row(
            key.name,
            key.created.isoformat(timespec="seconds"),
            key.public_multibase,
            "✓" if key == ring.current else "",
        )
    console.print(table)
    console.print(escape(f"issuer: {issuer.id}"))


@keys_app.command("rotate")
def keys_rotate() -> None:
    """Add a new key that signs from now on; the old ones keep verifying what they signed."""
    settings = get_settings()
    if settings.credential_keys is not None:
        raise _fail(
            "Khoá đang lấy từ biến HOCVUSO_CREDENTIAL_KEYS: hãy xoay khoá trong tệp rồi cập nhật "
            "biến đó.",
            "The keys come from HOCVUSO_CREDENTIAL_KEYS: rotate them in a file, then update the "
            "variable.",
            1,
        )
    path = keys.key_file(settings)
    key = keys.rotate(path, datetime.now(UTC))
    _say(
        f"Khoá mới {key.name} sẽ ký từ bây giờ (tệp {path}, chỉ chủ sở hữu đọc được).",
        f"New key {key.name} signs from now on (file {path}, readable by its owner only).",
        style="green",
    )
    console.print(escape(f"public key: {key.public_multibase}"))
