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

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from sqlmodel.ext.asyncio.session import AsyncSession

from hocvuso.i18n import plain, t
from hocvuso.organising import dashboard, exports, reports, trend
from hocvuso.organising.errors import Forbidden, StaffError
from hocvuso.web.dashboard import charts
from hocvuso.web.dashboard.common import (
    ABSOLUTE_COOKIE_AGE,
    COOKIE,
    HERE,
    PRIVATE,
    SORTS,
    Format,
    file_response,
    headers,
    language,
    now_of,
    refusal,
    render,
    secure_cookie,
    settings_of,
    table_file,
    target_of,
    text_of,
    transaction,
)

router = APIRouter(prefix="/dashboard", tags=["dashboard"])


# --- sign-in ------------------------------------------------------------------------------------
@router.get("/static/dashboard.css", include_in_schema=False)
async def stylesheet() -> FileResponse:
    return FileResponse(HERE / "static" / "dashboard.css", media_type="text/css")


@router.get("/login/{token}", response_class=HTMLResponse)
async def confirm_login(request: Request, token: str) -> HTMLResponse:
    """The link from the chat: a page with a button (a GET never uses the link up, so link
    previews and scanners that fetch it do not sign anyone in)."""
    try:
        async with transaction(request) as session:
            await dashboard.peek_login(session, token, now_of(request))
    except StaffError as exc:
        return refusal(request, exc)
    return render(request, "confirm.html", token=token, signed=None)


@router.post("/login/{token}", response_model=None)
async def open_session(request: Request, token: str) -> Response:
    now = now_of(request)
    try:
        async with transaction(request) as session:
            current = await _current(session, request.cookies.get(COOKIE), now)
            opened = await dashboard.do_open_session(
                session, token, now, signed_in_as=current.learner_id if current else None
            )
    except StaffError as exc:
        return refusal(request, exc)
    response = RedirectResponse("/dashboard", status_code=303, headers=PRIVATE)
    response.set_cookie(
        COOKIE,
        opened.cookie,
        max_age=ABSOLUTE_COOKIE_AGE,
        path="/dashboard",
        httponly=True,
        secure=secure_cookie(settings_of(request).public_url),
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
    now = now_of(request)
    try:
        async with transaction(request) as session:
            signed = await dashboard.access_session(session, request.cookies.get(COOKIE), now)
            if not signed.csrf_ok(csrf):
                raise Forbidden("dashboard-csrf")
            await dashboard.do_logout(session, signed, now)
    except StaffError as exc:
        return refusal(request, exc)
    lang = language(request)
    response = render(
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
    now = now_of(request)
    settings = settings_of(request)
    try:
        async with transaction(request) as session:
            signed = await dashboard.access_session(session, request.cookies.get(COOKIE), now)
            report = await dashboard.access_overview(
                session, signed.actor, unit or None, target_of(settings), now
            )
            # The trend chart: its figures are the same scope's (the view is audited above).
            weekly = await trend.access_trend(
                session,
                signed.actor,
                unit or None,
                target_of(settings),
                now,
                cache=_trends(request),
            )
    except StaffError as exc:
        return refusal(request, exc)
    lang = language(request)
    return render(
        request,
        "overview.html",
        signed=signed,
        report=report,
        rows=_shown_rows(report, q, late, sort, desc),
        query={"unit": unit, "q": q, "late": late, "sort": sort, "desc": desc},
        sorts=SORTS,
        forecast=lambda row: plain(exports.forecast_text(row, lang)),
        title=plain(exports.title(report, lang)),
        chart=charts.trend_chart(weekly),
    )


def _trends(request: Request) -> trend.TrendCache:
    cache: trend.TrendCache | None = getattr(request.app.state, "trend_cache", None)
    if cache is None:
        cache = request.app.state.trend_cache = trend.TrendCache()
    return cache


@router.get("/overview.{fmt}", response_model=None)
async def overview_file(request: Request, fmt: Format, unit: str = "") -> Response:
    """The overview as a file: exactly /report's CSV or Excel (audited as an export)."""
    now = now_of(request)
    try:
        async with transaction(request) as session:
            signed = await dashboard.access_session(session, request.cookies.get(COOKIE), now)
            report = await dashboard.access_overview(
                session,
                signed.actor,
                unit or None,
                target_of(settings_of(request)),
                now,
                export=fmt,
            )
    except StaffError as exc:
        return refusal(request, exc)
    lang = language(request)
    body = exports.to_csv(report, lang).encode() if fmt == "csv" else exports.to_xlsx(report, lang)
    name = f"bao-cao-{report.unit_code or 'toan-he-thong'}-{report.today:%Y-%m-%d}.{fmt}"
    return file_response(body, fmt, name)


async def _unit_page(
    request: Request, code: str, **options: Any
) -> tuple[dashboard.Signed, dashboard.UnitPage]:
    """The signed-in person and a unit's page in their scope (a page view, or with ``export``
    a download: audited either way); StaffError when either is refused."""
    now = now_of(request)
    settings = settings_of(request)
    async with transaction(request) as session:
        signed = await dashboard.access_session(session, request.cookies.get(COOKIE), now)
        page = await dashboard.access_unit_page(
            session,
            signed.actor,
            code,
            target_of(settings),
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
        return refusal(request, exc)
    lang = language(request)
    return render(
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
        return refusal(request, exc)
    lang = language(request)
    header, rows = _people_table(page, lang)
    name = f"hoc-vien-{page.unit.code}-{page.report.today:%Y-%m-%d}.{fmt}"
    return file_response(table_file(header, rows, fmt, text_of(lang, "dash-col-person")), fmt, name)


def _people_table(page: dashboard.UnitPage, lang: str) -> tuple[list[str], list[list[Any]]]:
    def text(key: str) -> str:
        return text_of(lang, key)

    header = headers(
        lang,
        "dash-col-person",
        "dash-col-level",
        "dash-col-certified",
        "dash-col-at-target",
        "dash-col-last-active",
    )
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
