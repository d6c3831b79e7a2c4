"""The dashboard's broadcasts pages (issue 13): compose → preview with the reach → confirm →
live progress, and the scope's recent announcements.

Each handler checks the session (and the CSRF token of a POST), calls one function of
:mod:`hocvuso.organising.dashboard_broadcasts` and renders. The progress page polls a fragment
with htmx (served by the app: ``/dashboard/static/htmx.min.js``) every 2 seconds until the
broadcast is done; the fragment of a finished broadcast carries no trigger, so polling stops.
Without script, a link refreshes the page.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.datastructures import FormData

from hocvuso.i18n import plain, tp
from hocvuso.organising import dashboard, reports
from hocvuso.organising import dashboard_broadcasts as pages
from hocvuso.organising.errors import Forbidden, StaffError
from hocvuso.web.dashboard.common import (
    HERE,
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
    text_of,
    transaction,
)

router = APIRouter(prefix="/dashboard", tags=["dashboard"])
#: htmx is versioned by its file (static/README.md): a browser may keep it a day.
SCRIPT_HEADERS = {"Cache-Control": "public, max-age=86400", "X-Content-Type-Options": "nosniff"}


@router.get("/static/htmx.min.js", include_in_schema=False)
async def htmx_script() -> FileResponse:
    return FileResponse(
        HERE / "static" / "htmx.min.js", media_type="text/javascript", headers=SCRIPT_HEADERS
    )


def _when(moment: datetime) -> str:
    """A time as organisers read it (Việt Nam's time, like the reports)."""
    return moment.astimezone(reports.REPORT_ZONE).strftime("%d/%m/%Y %H:%M")


def _filters(lang: str, draft: pages.Draft) -> str:
    levels = [tp(lang, "dash-bc-level", level=level) for level in sorted(draft.levels)]
    roles = [tp(lang, f"role-{role}") for role in draft.roles]
    return ", ".join(levels + roles)


# --- the list -----------------------------------------------------------------------------------
@router.get("/broadcasts", response_class=HTMLResponse)
async def broadcast_list(request: Request) -> HTMLResponse:
    """The scope's recent announcements with their progress."""
    try:
        async with transaction(request) as session:
            signed = await signed_in(request, session)
            found = await pages.access_list(session, signed.actor, now_of(request))
    except StaffError as exc:
        return refusal(request, exc)
    return render(request, "broadcasts.html", signed=signed, broadcasts=found, when=_when)


@router.get("/broadcasts.{fmt}", response_model=None)
async def broadcast_list_file(request: Request, fmt: Format) -> Response:
    """The list as a file (audited as an export)."""
    now = now_of(request)
    try:
        async with transaction(request) as session:
            signed = await signed_in(request, session)
            found = await pages.access_list(session, signed.actor, now, export=fmt)
    except StaffError as exc:
        return refusal(request, exc)
    lang = language(request)

    def text(key: str) -> str:
        return text_of(lang, key)

    header = headers(
        lang,
        "dash-bc-col-when",
        "dash-bc-col-unit",
        "dash-bc-col-text",
        "dash-bc-col-total",
        "dash-bc-sent",
        "dash-bc-failed",
        "dash-bc-waiting",
    )
    rows = [
        [
            _when(b.created_at),
            b.unit.name if b.unit else text("dash-all-units"),
            b.excerpt,
            b.total,
            b.sent,
            b.failed,
            b.waiting,
        ]
        for b in found
    ]
    name = f"thong-bao-{now.astimezone(reports.REPORT_ZONE):%Y-%m-%d}.{fmt}"
    return file_response(table_file(header, rows, fmt, text("dash-nav-broadcasts")), fmt, name)


# --- compose, preview, confirm ------------------------------------------------------------------
@router.get("/broadcasts/new", response_class=HTMLResponse)
async def compose(request: Request) -> HTMLResponse:
    try:
        async with transaction(request) as session:
            signed = await signed_in(request, session)
            offer = await pages.access_compose(session, signed.actor, now_of(request))
    except StaffError as exc:
        return refusal(request, exc)
    return _form(request, signed, offer, pages.Draft())


def _draft(form: FormData) -> pages.Draft:
    def one(name: str) -> str:
        value = form.get(name)
        return value if isinstance(value, str) else ""

    def many(name: str) -> tuple[str, ...]:
        return tuple(v for v in form.getlist(name) if isinstance(v, str))

    return pages.Draft(
        unit=one("unit"),
        # Browsers send a textarea's (and a hidden field's) line breaks as CRLF.
        text=one("text").replace("\r\n", "\n"),
        levels=many("level"),
        roles=many("role"),
        learn_button=one("learn_button") == "1",
    )


def _form(
    request: Request,
    signed: dashboard.Signed,
    offer: pages.Compose,
    draft: pages.Draft,
    error: pages.DraftError | None = None,
) -> HTMLResponse:
    return render(
        request,
        "broadcasts_new.html",
        422 if error else 200,
        signed=signed,
        offer=offer,
        draft=draft,
        error=error,
        error_text=plain(error.message(language(request))) if error else "",
        limit=pages.TEXT_LIMIT,
    )


async def _signed_post(request: Request, session: AsyncSession, form: FormData) -> dashboard.Signed:
    """The person of a POST whose CSRF token is right (StaffError otherwise)."""
    signed = await signed_in(request, session)
    csrf = form.get("csrf")
    if not signed.csrf_ok(csrf if isinstance(csrf, str) else None):
        raise Forbidden("dashboard-csrf")
    return signed


async def _form_again(
    request: Request, draft: pages.Draft, error: pages.DraftError | None = None
) -> HTMLResponse:
    """The compose form once more, with everything that was typed (and what to change), in a
    transaction of its own (a refused draft's was rolled back)."""
    try:
        async with transaction(request) as session:
            signed = await signed_in(request, session)
            offer = await pages.access_compose(session, signed.actor, now_of(request))
    except StaffError as exc:
        return refusal(request, exc)
    return _form(request, signed, offer, draft, error)


@router.post("/broadcasts/preview", response_class=HTMLResponse)
async def preview(request: Request) -> HTMLResponse:
    """The message as learners will see it and its reach, with a button to send it; a bad
    text shows the form again with everything that was typed and what to change ("Sửa lại"
    on the preview, ``edit=1``, shows the form too)."""
    form = await request.form()
    draft = _draft(form)
    try:
        async with transaction(request) as session:
            signed = await _signed_post(request, session, form)
            if form.get("edit") == "1":
                shown = None
            else:
                shown = await pages.access_preview(
                    session,
                    signed.actor,
                    draft,
                    now_of(request),
                    consent=settings_of(request).consent_version,
                )
    except pages.DraftError as exc:
        return await _form_again(request, draft, exc)
    except StaffError as exc:
        return refusal(request, exc)
    if shown is None:
        return await _form_again(request, draft)
    return render(
        request,
        "broadcasts_preview.html",
        signed=signed,
        preview=shown,
        filters=_filters(language(request), draft),
        nonce=secrets.token_urlsafe(24),
    )


@router.post("/broadcasts", response_model=None)
async def confirm(request: Request) -> Response:
    """Queue the previewed broadcast (the chat's ``do_broadcast``: the scheduler's worker sends
    it) and go to its progress (303). The preview's one-time ``nonce`` makes a second POST of
    the same preview lead to the same broadcast instead of a second one."""
    form = await request.form()
    draft = _draft(form)
    nonce = form.get("nonce")
    try:
        async with transaction(request) as session:
            signed = await _signed_post(request, session, form)
            made = await pages.do_confirm(
                session,
                signed,
                draft,
                nonce if isinstance(nonce, str) else "",
                now_of(request),
                consent=settings_of(request).consent_version,
                language=language(request),
            )
    except pages.DraftError as exc:
        return await _form_again(request, draft, exc)
    except StaffError as exc:
        return refusal(request, exc)
    return RedirectResponse(f"/dashboard/broadcasts/{made}", status_code=303, headers=PRIVATE)


# --- progress -----------------------------------------------------------------------------------
@router.get("/broadcasts/{broadcast_id}", response_class=HTMLResponse)
async def progress_page(request: Request, broadcast_id: int) -> HTMLResponse:
    try:
        async with transaction(request) as session:
            signed = await signed_in(request, session)
            shown = await pages.access_broadcast(
                session, signed.actor, broadcast_id, now_of(request)
            )
    except StaffError as exc:
        return refusal(request, exc)
    return render(request, "broadcasts_show.html", signed=signed, progress=shown, when=_when)


@router.get("/broadcasts/{broadcast_id}/progress", response_class=HTMLResponse)
async def progress_fragment(request: Request, broadcast_id: int) -> HTMLResponse:
    """The figures alone, for htmx's polling (not audited again: the page view was). A refusal
    (the session ended, the role was revoked) reloads the whole page, which shows why."""
    try:
        async with transaction(request) as session:
            signed = await signed_in(request, session)
            shown = await pages.access_broadcast(
                session, signed.actor, broadcast_id, now_of(request), poll=True
            )
    except StaffError as exc:
        answer = refusal(request, exc)
        answer.headers["HX-Refresh"] = "true"
        return answer
    return render(request, "broadcasts_fragment.html", signed=signed, progress=shown, poll=True)
