"""The organisers' dashboard pages: sign-in, overview, unit drill-down, downloads, sign-out.

What the app provides (``hocvuso.web.app.create_app`` sets these; tests/web/dashboard/conftest.py
builds a minimal app the same way)::

    app.state.settings      # hocvuso.config.Settings: public_url, consent_version, the target
    app.state.sessionmaker  # async_sessionmaker[AsyncSession] of the database
    app.state.clock         # optional: () -> aware UTC datetime (tests move it); default: now
    app.include_router(hocvuso.web.dashboard.router)

Each request is one transaction: the session cookie is checked (and the person's grants
reloaded) by :func:`hocvuso.organising.dashboard.access_session`, then one domain function is
called and its result rendered (Jinja2, server-side; no script is needed). Every POST carries
the session's CSRF token. Texts come from the Fluent catalogs (``dash-*``), Vietnamese first;
``?lang=en`` switches (kept in a cookie).
"""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from hocvuso.config import Settings
from hocvuso.i18n import plain, t
from hocvuso.organising import dashboard, exports, reports
from hocvuso.organising.errors import Forbidden, NotFound, StaffError
from hocvuso.organising.forecast import Target

HERE = Path(__file__).parent
COOKIE = "hocvuso_dashboard"
LANG_COOKIE = "hocvuso_lang"
LANGUAGES = ("vi", "en")
SORTS = ("code", "name", "percent", "active", "forecast")
Format = Literal["csv", "xlsx"]
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

router = APIRouter(prefix="/dashboard", tags=["dashboard"])
templates = Jinja2Templates(directory=HERE / "templates")


# --- what the app provides --------------------------------------------------------------------
def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _now(request: Request) -> datetime:
    clock: Callable[[], datetime] | None = getattr(request.app.state, "clock", None)
    return clock() if clock is not None else datetime.now(UTC)


@asynccontextmanager
async def _transaction(request: Request) -> AsyncIterator[AsyncSession]:
    sessions: async_sessionmaker[AsyncSession] = request.app.state.sessionmaker
    async with sessions() as session, session.begin():
        yield session


def _target(settings: Settings) -> Target:
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
def _language(request: Request) -> str:
    asked = request.query_params.get("lang") or request.cookies.get(LANG_COOKIE)
    return asked if asked in LANGUAGES else "vi"


def _render(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    lang = _language(request)

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


def _refusal(request: Request, exc: StaffError) -> HTMLResponse:
    status = 404 if isinstance(exc, NotFound) else 403
    if exc.key == "dashboard-signed-out":
        status = 401
    message = plain(exc.message(_language(request)))
    return _render(request, "message.html", status, message=message, signed=None)


# --- sign-in ------------------------------------------------------------------------------------
@router.get("/static/dashboard.css", include_in_schema=False)
async def stylesheet() -> FileResponse:
    return FileResponse(HERE / "static" / "dashboard.css", media_type="text/css")


@router.get("/login/{token}", response_class=HTMLResponse)
async def confirm_login(request: Request, token: str) -> HTMLResponse:
    """The link from the chat: a page with a button (a GET never uses the link up, so link
    previews and scanners that fetch it do not sign anyone in)."""
    try:
        async with _transaction(request) as session:
            await dashboard.peek_login(session, token, _now(request))
    except StaffError as exc:
        return _refusal(request, exc)
    return _render(request, "confirm.html", token=token, signed=None)


@router.post("/login/{token}", response_model=None)
async def open_session(request: Request, token: str) -> Response:
    now = _now(request)
    try:
        async with _transaction(request) as session:
            current = await _current(session, request.cookies.get(COOKIE), now)
            opened = await dashboard.do_open_session(
                session, token, now, signed_in_as=current.learner_id if current else None
            )
    except StaffError as exc:
        return _refusal(request, exc)
    response = RedirectResponse("/dashboard", status_code=303, headers=PRIVATE)
    response.set_cookie(
        COOKIE,
        opened.cookie,
        max_age=int(dashboard.ABSOLUTE.total_seconds()),
        path="/dashboard",
        httponly=True,
        secure=secure_cookie(_settings(request).public_url),
        samesite="lax",
    )
    return response


async def _current(
    session: AsyncSession, cookie: str | None, now: datetime
) -> dashboard.Signed | None:
    try:
        return await dashboard.access_session(session, cookie, now)
    except StaffError:
        return None


@router.post("/logout", response_class=HTMLResponse)
async def logout(request: Request, csrf: str = Form("")) -> HTMLResponse:
    now = _now(request)
    try:
        async with _transaction(request) as session:
            signed = await dashboard.access_session(session, request.cookies.get(COOKIE), now)
            if not signed.csrf_ok(csrf):
                raise Forbidden("dashboard-csrf")
            await dashboard.do_logout(session, signed, now)
    except StaffError as exc:
        return _refusal(request, exc)
    lang = _language(request)
    response = _render(
        request, "message.html", message=plain(t(lang, "dash-logged-out")), signed=None
    )
    response.delete_cookie(COOKIE, path="/dashboard")
    return response


# --- pages --------------------------------------------------------------------------------------
def _sort_key(sort: str) -> Callable[[reports.Row], Any]:
    def forecast_key(row: reports.Row) -> Any:
        return (row.forecast.in_time, row.forecast.when or date.max)

    keys: dict[str, Callable[[reports.Row], Any]] = {
        "code": lambda row: row.code,
        "name": lambda row: row.name.casefold(),
        "percent": lambda row: row.certified_percent or 0.0,
        "active": lambda row: row.active,
        "forecast": forecast_key,
    }
    return keys[sort]


def _shown_rows(
    report: reports.Report, q: str, late: bool, sort: str, desc: bool
) -> list[reports.Row]:
    needle = q.strip().casefold()
    rows = [
        row
        for row in report.rows
        if (not needle or needle in row.name.casefold() or needle in row.code.casefold())
        and (not late or not row.forecast.in_time)
    ]
    return sorted(rows, key=_sort_key(sort if sort in SORTS else "code"), reverse=desc)


@router.get("", response_class=HTMLResponse)
async def overview(
    request: Request,
    unit: str = "",
    q: str = "",
    late: bool = False,
    sort: str = "code",
    desc: bool = False,
) -> HTMLResponse:
    """The person's scope (or a unit in it): ``/report``'s figures, filterable and sortable."""
    now = _now(request)
    settings = _settings(request)
    try:
        async with _transaction(request) as session:
            signed = await dashboard.access_session(session, request.cookies.get(COOKIE), now)
            report = await dashboard.access_overview(
                session, signed.actor, unit or None, _target(settings), now
            )
    except StaffError as exc:
        return _refusal(request, exc)
    lang = _language(request)
    return _render(
        request,
        "overview.html",
        signed=signed,
        report=report,
        rows=_shown_rows(report, q, late, sort, desc),
        query={"unit": unit, "q": q, "late": late, "sort": sort, "desc": desc},
        sorts=SORTS,
        forecast=lambda row: plain(exports.forecast_text(row, lang)),
        title=plain(exports.title(report, lang)),
    )


@router.get("/overview.{fmt}", response_model=None)
async def overview_file(request: Request, fmt: Format, unit: str = "") -> Response:
    """The overview as a file: exactly /report's CSV or Excel (audited as an export)."""
    now = _now(request)
    try:
        async with _transaction(request) as session:
            signed = await dashboard.access_session(session, request.cookies.get(COOKIE), now)
            report = await dashboard.access_overview(
                session, signed.actor, unit or None, _target(_settings(request)), now, export=fmt
            )
    except StaffError as exc:
        return _refusal(request, exc)
    lang = _language(request)
    body = exports.to_csv(report, lang).encode() if fmt == "csv" else exports.to_xlsx(report, lang)
    name = f"bao-cao-{report.unit_code or 'toan-he-thong'}-{report.today:%Y-%m-%d}.{fmt}"
    return _file(body, fmt, name)


def _file(body: bytes, fmt: str, name: str) -> Response:
    headers = {**PRIVATE, "Content-Disposition": f'attachment; filename="{name}"'}
    return Response(body, media_type=MEDIA[fmt], headers=headers)


async def _unit_page(
    request: Request, code: str, **options: Any
) -> tuple[dashboard.Signed, dashboard.UnitPage]:
    """The signed-in person and a unit's page in their scope (a page view, or with ``export``
    a download: audited either way); StaffError when either is refused."""
    now = _now(request)
    settings = _settings(request)
    async with _transaction(request) as session:
        signed = await dashboard.access_session(session, request.cookies.get(COOKIE), now)
        page = await dashboard.access_unit_page(
            session,
            signed.actor,
            code,
            _target(settings),
            now,
            consent=settings.consent_version,
            **options,
        )
    return signed, page


@router.get("/units/{code}", response_class=HTMLResponse)
async def unit_page(request: Request, code: str) -> HTMLResponse:
    """A unit's sub-units and the learners directly in it; another unit's code is a 404 exactly
    like a code no unit has."""
    try:
        signed, page = await _unit_page(request, code)
    except StaffError as exc:
        return _refusal(request, exc)
    lang = _language(request)
    return _render(
        request,
        "unit.html",
        signed=signed,
        page=page,
        report=page.report,
        target=page.report.target,
        forecast=lambda row: plain(exports.forecast_text(row, lang)),
        title=plain(exports.title(page.report, lang)),
    )


@router.get("/units/{code}/learners.{fmt}", response_model=None)
async def learners_file(request: Request, code: str, fmt: Format) -> Response:
    """The unit's learners (those who may be named) with their standing (audited)."""
    try:
        _signed, page = await _unit_page(request, code, export=fmt, limit=1_000_000)
    except StaffError as exc:
        return _refusal(request, exc)
    lang = _language(request)
    header, rows = _people_table(page, lang)
    name = f"hoc-vien-{page.unit.code}-{page.report.today:%Y-%m-%d}.{fmt}"
    return _file(_table_file(header, rows, fmt, text_of(lang, "dash-col-person")), fmt, name)


def text_of(lang: str, key: str) -> str:
    return plain(t(lang, key))


def _people_table(page: dashboard.UnitPage, lang: str) -> tuple[list[str], list[list[Any]]]:
    def text(key: str) -> str:
        return text_of(lang, key)

    header = [
        text(k)
        for k in (
            "dash-col-person",
            "dash-col-level",
            "dash-col-certified",
            "dash-col-at-target",
            "dash-col-last-active",
        )
    ]
    target = page.report.target
    rows = [
        [
            p.name,
            p.level,
            p.certified or "",
            text("dash-yes" if p.at_target(target) else "dash-no"),
            p.last_active.isoformat() if p.last_active else "",
        ]
        for p in page.people
    ]
    return header, rows


def _table_file(header: list[str], rows: list[list[Any]], fmt: str, title: str) -> bytes:
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
