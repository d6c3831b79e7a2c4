"""What every dashboard page shares: the app's state, one transaction per request, rendering
with the Fluent catalogs, refusals, and file downloads.

A page module has its own ``APIRouter`` (no prefix; paths start with ``/dashboard``), imports
from here, and is included in :mod:`hocvuso.web.dashboard`'s ``router``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from hocvuso.config import Settings
from hocvuso.i18n import plain, t
from hocvuso.organising import dashboard, exports
from hocvuso.organising.certified import safe
from hocvuso.organising.errors import NotFound, StaffError
from hocvuso.organising.forecast import Target

HERE = Path(__file__).parent
COOKIE = "hocvuso_dashboard"
LANG_COOKIE = "hocvuso_lang"
LANGUAGES = ("vi", "en")
SORTS = ("code", "name", "percent", "active", "forecast")
Format = Literal["csv", "xlsx"]
ABSOLUTE_COOKIE_AGE = int(dashboard.ABSOLUTE.total_seconds())
MEDIA = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
#: Pages with the person's data: never cached, never sent as a referrer.
PRIVATE = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "default-src 'self'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'",
}

templates = Jinja2Templates(directory=HERE / "templates")


# --- what the app provides --------------------------------------------------------------------
def settings_of(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def now_of(request: Request) -> datetime:
    clock: Callable[[], datetime] | None = getattr(request.app.state, "clock", None)
    return clock() if clock is not None else datetime.now(UTC)


@asynccontextmanager
async def transaction(request: Request) -> AsyncIterator[AsyncSession]:
    sessions: async_sessionmaker[AsyncSession] = request.app.state.sessionmaker
    async with sessions() as session, session.begin():
        yield session


def target_of(settings: Settings) -> Target:
    return Target(
        level=settings.target_level,
        percent=settings.target_percent,
        deadline=settings.target_deadline,
    )


def secure_cookie(public_url: str) -> bool:
    """Secure, except for a plain-http address on this machine (development, tests)."""
    url = urlsplit(public_url)
    local = url.hostname in {"localhost", "127.0.0.1", "::1"}
    return not (url.scheme == "http" and local)


# --- rendering ----------------------------------------------------------------------------------
def language(request: Request) -> str:
    asked = request.query_params.get("lang") or request.cookies.get(LANG_COOKIE)
    return asked if asked in LANGUAGES else "vi"


def render(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    lang = language(request)

    def text(key: str, **variables: Any) -> str:
        return plain(t(lang, key, **variables))

    other = "en" if lang == "vi" else "vi"
    response = templates.TemplateResponse(
        request,
        name,
        {
            "_": text,
            "lang": lang,
            # Relative: an error page names nothing of the address it answers.
            "switch_url": "?" + str(request.url.include_query_params(lang=other).query)
            if context.get("signed")
            else f"?lang={other}",
            "percent": lambda value: exports.percent(value, lang),
            **context,
        },
        status_code=status,
        headers=PRIVATE,
    )
    if request.query_params.get("lang") in LANGUAGES:
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, samesite="lax")
    return response


def refusal(request: Request, exc: StaffError) -> HTMLResponse:
    status = 404 if isinstance(exc, NotFound) else 403
    if exc.key == "dashboard-signed-out":
        status = 401
    message = plain(exc.message(language(request)))
    return render(request, "message.html", status, message=message, signed=None)


async def signed_in(request: Request, session: AsyncSession) -> dashboard.Signed:
    """The person whose session cookie this request carries (grants reloaded); StaffError
    (401) when there is none or it has ended."""
    return await dashboard.access_session(session, request.cookies.get(COOKIE), now_of(request))


def file_response(body: bytes, fmt: str, name: str) -> Response:
    headers = {**PRIVATE, "Content-Disposition": f'attachment; filename="{name}"'}
    return Response(body, media_type=MEDIA[fmt], headers=headers)


def text_of(lang: str, key: str, **variables: Any) -> str:
    return plain(t(lang, key, **variables))


def headers(lang: str, *keys: str) -> list[str]:
    """A download's header row: the texts of ``keys`` in the reader's language."""
    return [text_of(lang, key) for key in keys]


def table_file(header: list[str], rows: list[list[Any]], fmt: str, title: str) -> bytes:
    """A download of every dashboard table: each cell goes through :func:`certified.safe`, so a
    name or text starting like a formula (= + - @) stays text in a spreadsheet."""
    header = [safe(cell) for cell in header]
    rows = [[safe(cell) for cell in row] for row in rows]
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows(rows)
        return out.getvalue().encode()
    from openpyxl import Workbook  # only an XLSX download needs it

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title[:31]
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    binary = io.BytesIO()
    book.save(binary)
    return binary.getvalue()
