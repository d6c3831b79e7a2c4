"""The dashboard's questions, retention and audit pages, with their CSV and XLSX files.

Each route checks the session, calls one function of :mod:`hocvuso.organising.insights` and
renders it. The content pack (question texts, levels, areas) is ``app.state.pack`` when the app
provides it, else read once from ``settings.content_path`` (the shipped pack by default).
The SVG calibration chart is drawn here, from the same numbers as the table.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.exceptions import HTTPException

from hocvuso.content.loader import Pack
from hocvuso.i18n import plain, t
from hocvuso.organising import dashboard, insights
from hocvuso.organising import question_stats as qs
from hocvuso.organising import statistics_files as files
from hocvuso.organising.errors import Forbidden, Invalid, StaffError
from hocvuso.organising.reports import REPORT_ZONE
from hocvuso.organising.retention import Retention
from hocvuso.web import pages
from hocvuso.web.dashboard.common import (
    COOKIE,
    Format,
    file_response,
    language,
    now_of,
    refusal,
    render,
    table_file,
    text_of,
    transaction,
)

router = APIRouter(prefix="/dashboard", tags=["dashboard"])
QUESTION_SORTS = (
    "pack",
    "question",
    "attempts",
    "facility",
    "discrimination",
    "efficiency",
    "flags",
)
LETTERS = files.LETTERS


def cache_of(request: Request) -> insights.StatsCache:
    cache: insights.StatsCache | None = getattr(request.app.state, "question_cache", None)
    if cache is None:
        cache = request.app.state.question_cache = insights.StatsCache()
    return cache


def _refused(request: Request, exc: StaffError) -> HTMLResponse:
    response = refusal(request, exc)
    if isinstance(exc, Invalid):
        response.status_code = 400
    return response


def _level(raw: str) -> int | None:
    if not raw.strip():
        return None
    try:
        return int(raw)
    except ValueError:
        raise Invalid("export-level") from None


# --- questions ------------------------------------------------------------------------------
async def _questions(
    request: Request, unit: str, level: str, export: str | None = None
) -> tuple[Any, insights.QuestionsPage]:
    now = now_of(request)
    async with transaction(request) as session:
        signed = await dashboard.access_session(session, request.cookies.get(COOKIE), now)
        page = await insights.access_questions_page(
            session,
            signed.actor,
            await pages.pack_of(request),
            unit or None,
            now,
            level=_level(level),
            export=export,
            cache=cache_of(request),
        )
    return signed, page


def _question_key(sort: str) -> Callable[[qs.QuestionStats], Any]:
    def nullable(name: str) -> Callable[[qs.QuestionStats], Any]:
        def key(q: qs.QuestionStats) -> Any:
            value = getattr(q, name)
            return (value is None, value or 0.0)

        return key

    keys: dict[str, Callable[[qs.QuestionStats], Any]] = {
        "question": lambda q: q.question_id,
        "attempts": lambda q: q.attempts,
        "facility": nullable("facility"),
        "discrimination": nullable("discrimination"),
        "efficiency": nullable("efficiency"),
        "flags": lambda q: -len(q.flags),
    }
    return keys[sort]


@router.get("/questions", response_class=HTMLResponse)
async def questions_page(
    request: Request, unit: str = "", level: str = "", sort: str = "pack", desc: bool = False
) -> HTMLResponse:
    """Item analysis per question of the person's scope, sortable, with wrong-option shares."""
    try:
        signed, page = await _questions(request, unit, level)
    except StaffError as exc:
        return _refused(request, exc)
    rows = list(page.stats)
    if sort in QUESTION_SORTS and sort != "pack":
        rows.sort(key=_question_key(sort), reverse=desc)
    elif desc:
        rows.reverse()
    pack = await pages.pack_of(request)
    lang = language(request)
    return render(
        request,
        "questions.html",
        signed=signed,
        page=page,
        rows=rows,
        query={"unit": unit, "level": level, "sort": sort, "desc": desc},
        sorts=QUESTION_SORTS,
        text_of_question=lambda qid: _question_text(pack, qid),
        option_text=lambda qid, i: _option_text(pack, qid, i),
        letter=lambda i: LETTERS[i] if i < len(LETTERS) else str(i + 1),
        number=_one_decimal(lang),
        computed=_local(page.computed_at),
        low=qs.LOW_EFFICIENCY,
        area_title=lambda area: pack.area_title(area, lang),
    )


@router.get("/questions.{fmt}", response_model=None)
async def questions_file(
    request: Request, fmt: Format, unit: str = "", level: str = ""
) -> Response:
    """``report questions``'s table as a file (audited as an export)."""
    try:
        _signed, page = await _questions(request, unit, level, export=fmt)
    except StaffError as exc:
        return _refused(request, exc)
    lang = language(request)
    header, rows = files.question_table(page.stats, lang)
    code = page.unit.code if page.unit else "toan-he-thong"
    name = f"cau-hoi-{code}-{_local(page.computed_at):%Y-%m-%d}.{fmt}"
    title = files.questions_title(qs.Source.EXAM, lang)
    return file_response(table_file(header, rows, fmt, title), fmt, name)


def _question_text(pack: Pack, question_id: str) -> str | None:
    ref = pack.questions.get(question_id)
    return ref.question.text if ref else None


def _option_text(pack: Pack, question_id: str, index: int) -> str | None:
    ref = pack.questions.get(question_id)
    if ref is None or index >= len(ref.question.options):
        return None
    return ref.question.options[index]


def _one_decimal(lang: str) -> Callable[[float | None], str]:
    def number(value: float | None) -> str:
        if value is None:
            return "—"
        shown = f"{value:.1f}"
        return shown.replace(".", ",") if lang == "vi" else shown

    return number


def _local(moment: datetime) -> datetime:
    return moment.astimezone(REPORT_ZONE)


# --- retention ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Dot:
    x: float
    y: float
    label: str


@dataclass(frozen=True)
class Calibration:
    """The calibration chart's geometry (a 0 … 100% square, the diagonal, one dot per bin)."""

    size: int
    pad: int
    dots: tuple[Dot, ...]

    @property
    def inner(self) -> int:
        return self.size - 2 * self.pad

    def at(self, value: float) -> tuple[float, float]:
        """(x, y) of predicted = measured = ``value`` (0 … 1)."""
        return self.pad + value * self.inner, self.pad + (1 - value) * self.inner


def calibration(report: Retention, number: Callable[[float | None], str]) -> Calibration:
    size, pad = 320, 40
    inner = size - 2 * pad
    dots = tuple(
        Dot(
            round(pad + b.predicted * inner, 1),
            round(pad + (1 - b.measured) * inner, 1),
            f"{number(100 * b.predicted)}% → {number(100 * b.measured)}% ({b.reviews})",
        )
        for b in report.total.bins
        if b.reviews and b.predicted is not None and b.measured is not None
    )
    return Calibration(size, pad, dots)


async def _retention(
    request: Request, unit: str, export: str | None = None
) -> tuple[Any, insights.RetentionPage]:
    now = now_of(request)
    async with transaction(request) as session:
        signed = await dashboard.access_session(session, request.cookies.get(COOKIE), now)
        page = await insights.access_retention_page(
            session, signed.actor, await pages.pack_of(request), unit or None, now, export=export
        )
    return signed, page


@router.get("/retention", response_class=HTMLResponse)
async def retention_page(request: Request, unit: str = "") -> HTMLResponse:
    """Predicted against measured recall per level, area and bin, and a calibration chart."""
    try:
        signed, page = await _retention(request, unit)
    except StaffError as exc:
        return _refused(request, exc)
    lang = language(request)
    header, rows = files.retention_table(page.report, lang)
    number = _one_decimal(lang)
    pack = await pages.pack_of(request)
    rows = [[row[0], pack.area_title(str(row[1]), lang), *row[2:]] for row in rows]
    return render(
        request,
        "retention.html",
        signed=signed,
        page=page,
        header=header,
        rows=rows,
        query={"unit": unit},
        chart=calibration(page.report, number),
        number=number,
    )


@router.get("/retention.{fmt}", response_model=None)
async def retention_file(request: Request, fmt: Format, unit: str = "") -> Response:
    try:
        _signed, page = await _retention(request, unit, export=fmt)
    except StaffError as exc:
        return _refused(request, exc)
    lang = language(request)
    header, rows = files.retention_table(page.report, lang)
    code = page.unit.code if page.unit else "toan-he-thong"
    name = f"ghi-nho-{code}-{_local(now_of(request)):%Y-%m-%d}.{fmt}"
    title = plain(t(lang, "retention-title"))
    return file_response(table_file(header, rows, fmt, title), fmt, name)


# --- the audit log (admins) -----------------------------------------------------------------
@dataclass(frozen=True)
class AuditQuery:
    action: str = ""
    actor: str = ""
    since: str = ""
    until: str = ""
    page: int = 1

    def parsed(self) -> insights.AuditFilter:
        """The filter, or Invalid naming the field that is wrong."""
        actor_id = None
        if self.actor.strip():
            try:
                actor_id = int(self.actor.strip())
            except ValueError:
                raise Invalid("dash-audit-bad-actor") from None
        since = _day(self.since, "dash-audit-bad-date")
        until = _day(self.until, "dash-audit-bad-date")
        if since and until and until < since:
            raise Invalid("dash-audit-bad-range")
        return insights.AuditFilter(
            action=self.action.strip() or None,
            actor_id=actor_id,
            since=_midnight(since) if since else None,
            until=_midnight(until + timedelta(days=1)) if until else None,
        )

    def link(self, **changes: Any) -> str:
        values = {**self.__dict__, **changes}
        kept = {k: v for k, v in values.items() if v not in ("", None) and (k, v) != ("page", 1)}
        return "?" + urlencode(kept) if kept else ""


def _day(raw: str, key: str) -> date | None:
    if not raw.strip():
        return None
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        raise Invalid(key) from None


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(), REPORT_ZONE)


async def _audit(
    request: Request, query: AuditQuery, export: str | None = None
) -> tuple[Any, insights.AuditPage]:
    """The signed-in person and the log; anyone but an admin gets the app's own 404 (the
    page does not exist for them)."""
    now = now_of(request)
    async with transaction(request) as session:
        signed = await dashboard.access_session(session, request.cookies.get(COOKIE), now)
        if not signed.actor.is_admin:
            raise HTTPException(404)
        where = query.parsed()
        try:
            page = await insights.access_audit_page(
                session, signed.actor, now, where, page=query.page, export=export
            )
        except Forbidden:
            raise HTTPException(404) from None
    return signed, page


def _audit_table(page: insights.AuditPage, lang: str) -> tuple[list[str], list[list[Any]]]:
    keys = ("at", "actor", "role", "via", "action", "unit", "details")
    header = [text_of(lang, f"dash-audit-col-{k}") for k in keys]
    rows = [
        [
            f"{_local(line.at):%Y-%m-%d %H:%M:%S}",
            line.actor_name or (line.actor_id if line.actor_id is not None else "CLI"),
            roles_text(line.roles, lang),
            line.via,
            line.action,
            line.unit_code or "",
            details_text(line.details),
        ]
        for line in page.lines
    ]
    return header, rows


def roles_text(roles: tuple[str, ...], lang: str) -> str:
    return ", ".join(text_of(lang, f"dash-audit-role-{role}") for role in roles)


def details_text(details: dict[str, Any]) -> str:
    return "; ".join(f"{k}={v}" for k, v in sorted(details.items()))


@router.get("/audit", response_class=HTMLResponse)
async def audit_page(
    request: Request,
    action: str = "",
    actor: str = "",
    since: str = "",
    until: str = "",
    page: int = 1,
) -> HTMLResponse:
    """The audit log, newest first, filtered and paginated: admins only."""
    query = AuditQuery(action, actor, since, until, max(page, 1))
    error = None
    try:
        signed, found = await _audit(request, query)
    except Invalid as exc:
        # The filter is wrong: say which, keep what was typed, show no entries.
        error = plain(exc.message(language(request)))
        signed, found = await _signed_admin(request), insights.AuditPage((), 1, False)
    except StaffError as exc:
        return refusal(request, exc)
    response = render(
        request,
        "audit.html",
        signed=signed,
        page=found,
        query=query,
        error=error,
        details_text=details_text,
        roles_text=lambda roles: roles_text(roles, language(request)),
        local=_local,
    )
    if error:
        response.status_code = 400
    return response


async def _signed_admin(request: Request) -> Any:
    async with transaction(request) as session:
        return await dashboard.access_session(session, request.cookies.get(COOKIE), now_of(request))


@router.get("/audit.{fmt}", response_model=None)
async def audit_file(
    request: Request,
    fmt: Format,
    action: str = "",
    actor: str = "",
    since: str = "",
    until: str = "",
) -> Response:
    """Every entry that matches the filter as a file (the download is audited itself)."""
    query = AuditQuery(action, actor, since, until)
    try:
        _signed, found = await _audit(request, query, export=fmt)
    except StaffError as exc:
        return _refused(request, exc)
    lang = language(request)
    header, rows = _audit_table(found, lang)
    name = f"nhat-ky-{_local(now_of(request)):%Y-%m-%d}.{fmt}"
    return file_response(table_file(header, rows, fmt, text_of(lang, "dash-audit")), fmt, name)
