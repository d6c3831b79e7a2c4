"""The dashboard's mentors page: coverage of the scope's lagging learners by mentors, suggested
mentors for those without one, and a pairing form that calls the chat's
:func:`hocvuso.organising.pairing.do_pair` (:mod:`hocvuso.organising.mentor_coverage`)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException

from hocvuso.i18n import plain
from hocvuso.organising import mentor_coverage, pairing
from hocvuso.organising.dashboard import Signed
from hocvuso.organising.errors import Forbidden, Invalid, StaffError
from hocvuso.organising.reports import REPORT_ZONE
from hocvuso.web import pages
from hocvuso.web.dashboard.common import (
    PRIVATE,
    Format,
    file_response,
    headers,
    language,
    now_of,
    refusal,
    render,
    settings_of,
    signed_in,
    table_file,
    target_of,
    text_of,
    transaction,
)

router = APIRouter(prefix="/dashboard", tags=["dashboard"])


async def _coverage(
    request: Request, unit: str, **options: Any
) -> tuple[Signed, mentor_coverage.MentorsPage]:
    """The signed-in person and the coverage of ``unit`` in their scope (a page view, or with
    ``export`` a download: audited either way); StaffError when either is refused."""
    settings = settings_of(request)
    async with transaction(request) as session:
        signed = await signed_in(request, session)
        page = await mentor_coverage.access_mentors_page(
            session,
            signed.actor,
            unit or None,
            await pages.pack_of(request),
            target_of(settings),
            now_of(request),
            consent=settings.consent_version,
            capacity=settings.mentor_capacity,
            **options,
        )
    return signed, page


async def _page(
    request: Request,
    unit: str,
    *,
    status: int = 200,
    notice: str = "",
    error: str = "",
    number: int = 1,
) -> HTMLResponse:
    try:
        signed, page = await _coverage(request, unit, offset=(number - 1) * mentor_coverage.LISTED)
    except StaffError as exc:
        return refusal(request, exc)
    return render(
        request,
        "mentors.html",
        status,
        signed=signed,
        page=page,
        unit=unit,
        notice=notice,
        error=error,
        number=number,
        listed=mentor_coverage.LISTED,
    )


@router.get("/mentors", response_class=HTMLResponse)
async def mentors_page(
    request: Request, unit: str = "", paired: str = "", page: str = ""
) -> HTMLResponse:
    notice = text_of(language(request), "dash-mentors-paired") if paired else ""
    wanted = page.strip()
    if wanted and not (wanted.isdigit() and 1 <= int(wanted) <= 100_000):
        # A mistyped page number: the first page, saying why (nothing is lost).
        error = text_of(language(request), "dash-mentors-bad-page", page=wanted[:20])
        return await _page(request, unit, status=400, notice=notice, error=error)
    return await _page(request, unit, notice=notice, number=int(wanted or 1))


@router.post("/mentors/pair", response_model=None)
async def pair(
    request: Request,
    csrf: str = Form(""),
    mentor: str = Form(""),
    mentee: str = Form(""),
    unit: str = Form(""),
) -> Response:
    """Pair a lagging learner with a mentor: the chat's ``do_pair`` (audited there, both told);
    a refusal re-shows the page with its reason, and nothing changes."""
    settings = settings_of(request)
    try:
        async with transaction(request) as session:
            signed = await signed_in(request, session)
            if not signed.csrf_ok(csrf):
                raise Forbidden("dashboard-csrf")
            if not (mentor.isdigit() and mentee.isdigit()):
                raise Invalid("dash-mentors-choose")
            await pairing.do_pair(
                session,
                settings,
                signed.actor,
                int(mentor),
                int(mentee),
                now_of(request),
                unmentored_only=True,
            )
    except StaffError as exc:
        if exc.key in {"dashboard-signed-out", "dashboard-csrf"}:
            return refusal(request, exc)
        status = 403 if isinstance(exc, Forbidden) else 409
        return await _page(
            request, unit, status=status, error=plain(exc.message(language(request)))
        )
    query = urlencode({"paired": "1", **({"unit": unit} if unit else {})})
    return RedirectResponse(f"/dashboard/mentors?{query}", status_code=303, headers=PRIVATE)


#: A download lists every named unmentored lagging learner, up to this many.
FILE_ROWS = 100_000


@router.get("/mentors/{table}.{fmt}", response_model=None)
async def mentors_file(request: Request, table: str, fmt: Format, unit: str = "") -> Response:
    """The coverage per sub-unit (``coverage``), the named unmentored lagging learners with
    their suggested mentors (``unmentored``) or the scope's mentors with their mentees
    (``mentors``) as a file (audited as an export)."""
    if table not in ("coverage", "unmentored", "mentors"):
        raise HTTPException(404)  # the app's own page of an unknown address
    try:
        _signed, page = await _coverage(request, unit, limit=FILE_ROWS, export=(table, fmt))
    except StaffError as exc:
        return refusal(request, exc)
    lang = language(request)

    def text(key: str, **variables: Any) -> str:
        return text_of(lang, key, **variables)

    rows: list[list[Any]]
    if table == "coverage":
        header = headers(
            lang,
            "dash-col-unit",
            "dash-mentors-col-learners",
            "dash-mentors-col-lagging",
            "dash-mentors-col-mentored",
            "dash-mentors-col-unmentored",
        )
        rows = [
            [f"{r.name} ({r.code})", r.learners, r.lagging, r.mentored, r.unmentored]
            for r in (*page.rows, page.total)
        ]
    elif table == "mentors":
        header = headers(lang, "dash-col-person", "dash-col-unit", "dash-mentors-col-mentees")
        rows = [
            [m.name, f"{m.unit_name} ({m.unit_code})", f"{m.mentees}/{page.capacity}"]
            for m in page.mentors
        ]
    else:
        header = headers(
            lang,
            "dash-col-person",
            "dash-col-unit",
            "dash-mentors-col-standing",
            "dash-col-last-active",
            "dash-mentors-file-suggested",
        )
        rows = [
            [
                p.name,
                f"{p.unit_name} ({p.unit_code})",
                text(f"dash-standing-{p.standing.value}"),
                p.last_active_at.astimezone(REPORT_ZONE).date().isoformat()
                if p.last_active_at
                else "",
                ", ".join(m.name for m in p.suggested),
            ]
            for p in page.unmentored
        ]
    code = page.unit.code if page.unit else "toan-he-thong"
    today = now_of(request).astimezone(REPORT_ZONE)
    name = f"nguoi-huong-dan-{table}-{code}-{today:%Y-%m-%d}.{fmt}"
    return file_response(table_file(header, rows, fmt, text("dash-mentors-title")), fmt, name)
