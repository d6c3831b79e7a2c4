"""The certified learners of a unit subtree, for upload to the national platform.

One row per certificate in force (not revoked) held by a learner of the subtree who agreed to the
terms in force and has not erased their data. One set-based statement: units of the subtree
(``ix_unit_path``) → their learners (``ix_learner_unit_status``) → certificates
(``uq_certificate_level``, led by ``learner_id``). Columns: docs/exports.md.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, select
from sqlmodel.ext.asyncio.session import AsyncSession

from hocvuso.credentials.issuer import Issuer
from hocvuso.i18n import plain, t
from hocvuso.organising import audit
from hocvuso.organising.errors import Invalid
from hocvuso.organising.permissions import Action, Actor, access_unit
from hocvuso.storage import tables
from hocvuso.storage.consent import consented
from hocvuso.storage.models import LearnerStatus
from hocvuso.storage.organising import Unit

U = tables.UNIT
L = tables.LEARNER
C = tables.CERTIFICATE
#: The day of issue as the learner's country counts it (the platform's dates are local).
ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
FORMATS = ("csv", "xlsx")
KEYS = (
    "no",
    "name",
    "unit-code",
    "unit-name",
    "role",
    "level",
    "certificate",
    "issued-iso",
    "issued-vn",
    "verify-url",
)
#: A cell starting with one of these is read as a formula by spreadsheets (OWASP CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


@dataclass(frozen=True)
class Certified:
    name: str
    unit_code: str
    unit_name: str
    role: str | None
    level: int
    certificate: str
    issued_at: datetime
    verify_url: str

    @property
    def issued_on(self) -> date:
        return self.issued_at.astimezone(ZONE).date()


def certified_query(root: Unit | None, consent: str, level: int | None = None) -> Select[Any]:
    query = (
        select(
            L.c.display_name,
            U.c.code,
            U.c.name,
            L.c.role,
            C.c.level,
            C.c.id,
            C.c.issued_at,
        )
        .select_from(U.join(L, L.c.unit_code == U.c.code).join(C, C.c.learner_id == L.c.id))
        .where(
            consented(consent),
            L.c.status != LearnerStatus.ERASED.value,
            L.c.display_name.is_not(None),
            C.c.revoked_at.is_(None),
        )
        .order_by(U.c.path, U.c.code, L.c.display_name, L.c.id, C.c.level)
    )
    if root is not None:
        query = query.where(U.c.path.startswith(root.path))
    if level is not None:
        query = query.where(C.c.level == level)
    return query


async def certified(
    session: AsyncSession,
    root: Unit | None,
    issuer: Issuer,
    *,
    consent: str,
    level: int | None = None,
) -> list[Certified]:
    """The rows, without a permission check (see :func:`access_certified`)."""
    connection = await session.connection()
    result = await connection.execute(certified_query(root, consent, level))
    return [
        Certified(
            name=name,
            unit_code=code,
            unit_name=unit_name,
            role=role,
            level=int(cert_level),
            certificate=cert_id,
            issued_at=issued_at,
            verify_url=issuer.verify_url(cert_id),
        )
        for name, code, unit_name, role, cert_level, cert_id, issued_at in result.all()
    ]


async def access_certified(
    session: AsyncSession,
    actor: Actor,
    code: str | None,
    issuer: Issuer,
    now: datetime,
    *,
    consent: str,
    level: int | None = None,
    export: str,
) -> tuple[Unit | None, list[Certified]]:
    """The certified of a unit subtree in the actor's scope (the same permission as the report:
    organisers of the subtree, admins; no code: their first scope, or the whole tree for
    admins); audited as an export in the given format, with the number of rows."""
    if export not in FORMATS:
        raise Invalid("export-format", formats=", ".join(FORMATS))
    if level is not None and not 1 <= level <= 4:
        raise Invalid("export-level")
    unit = await access_unit(session, actor, Action.REPORT, code or None)
    rows = await certified(session, unit, issuer, consent=consent, level=level)
    details: dict[str, Any] = {"format": export, "rows": len(rows)}
    if level is not None:
        details["level"] = level
    await audit.record_by(
        session, actor, "certified.export", unit.id if unit else None, now, **details
    )
    return unit, rows


# --- files -------------------------------------------------------------------------------------
def safe(value: Any) -> Any:
    """A cell a spreadsheet shows as text, never runs: ``'`` before a leading = + - @ (or a
    tab or line break), the OWASP advice against CSV/formula injection."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def headers(language: str = "vi") -> list[str]:
    return [plain(t(language, f"certified-col-{key}")) for key in KEYS]


def role_text(role: str | None, language: str) -> str:
    return plain(t(language, f"role-{role}")) if role else ""


def values(rows: Sequence[Certified], language: str = "vi") -> Iterable[list[Any]]:
    roles: dict[str | None, str] = {}
    for number, row in enumerate(rows, start=1):
        if row.role not in roles:
            roles[row.role] = role_text(row.role, language)
        yield [
            safe(cell)
            for cell in (
                number,
                row.name,
                row.unit_code,
                row.unit_name,
                roles[row.role],
                row.level,
                row.certificate,
                row.issued_on.isoformat(),
                row.issued_on.strftime("%d/%m/%Y"),
                row.verify_url,
            )
        ]


def to_csv(rows: Sequence[Certified], language: str = "vi") -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers(language))
    writer.writerows(values(rows, language))
    return out.getvalue()


def xlsx(title: str, headers: list[str], rows: Iterable[list[Any]], freeze: str) -> bytes:
    """A one-sheet workbook, streamed (openpyxl's write-only mode: 10x faster on big files):
    bold headers, then the rows with every cell through :func:`safe`, so that no text starts
    like a formula and openpyxl types every string as text."""
    from openpyxl import Workbook  # only an XLSX export needs it
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title[:31])  # Excel's limit for a sheet name
    sheet.freeze_panes = freeze
    bold = Font(bold=True)
    header_cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=header)
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in rows:
        sheet.append([safe(value) for value in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def to_xlsx(rows: Sequence[Certified], language: str = "vi") -> bytes:
    title = "Đạt chuẩn" if language == "vi" else "Certified"
    return xlsx(title, headers(language), values(rows, language), "C2")
