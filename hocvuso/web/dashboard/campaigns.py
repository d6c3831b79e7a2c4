"""The dashboard's campaigns pages: the campaigns that concern the person's scope, and one
campaign's messages against its milestone with their reach and the change in activity after
each (:mod:`hocvuso.organising.campaign_report`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from hocvuso.organising import campaign_report as cr
from hocvuso.organising.errors import NotFound, StaffError
from hocvuso.organising.reports import REPORT_ZONE
from hocvuso.web.dashboard.common import (
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

#: The timeline's drawing area (SVG user units).
WIDTH = 720
LEFT = 20
RIGHT = 700


@dataclass(frozen=True)
class Mark:
    """A point on the timeline: its x and what it is."""

    x: float
    label: str
    sent: bool = False


def _x(day: date, first: date, last: date) -> float:
    span = max(1, (last - first).days)
    return round(LEFT + (RIGHT - LEFT) * (day - first).days / span, 1)


def timeline(report: cr.CampaignReport) -> dict[str, object]:
    """Positions of the messages, the milestone and today on the SVG timeline."""
    days = [m.day for m in report.messages] + [report.summary.milestone]
    first, last = min(days), max(days)
    marks = [Mark(_x(m.day, first, last), f"{m.day:%d/%m}", m.sent) for m in report.messages]
    today = report.today if first <= report.today <= last else None
    return {
        "marks": marks,
        "milestone": _x(report.summary.milestone, first, last),
        "today": _x(today, first, last) if today else None,
        "first": first,
        "last": last,
        "width": WIDTH,
        "left": LEFT,
        "right": RIGHT,
    }


def points(value: float | None, lang: str) -> str:
    """Percentage points with a sign, in the reader's notation (+12,5 / +12.5)."""
    if value is None:
        return "—"
    text = f"{value:+.1f}"
    return text.replace(".", ",") if lang == "vi" else text


async def _campaigns(
    request: Request, unit: str, export: str | None = None
) -> tuple[Any, Any, list[cr.CampaignSummary]]:
    async with transaction(request) as session:
        signed = await signed_in(request, session)
        scope, found = await cr.access_campaigns(
            session,
            signed.actor,
            unit or None,
            now_of(request),
            consent=settings_of(request).consent_version,
            export=export,
        )
    return signed, scope, found


@router.get("/campaigns", response_class=HTMLResponse)
async def campaigns_page(request: Request, unit: str = "") -> HTMLResponse:
    """The campaigns whose audience or deliveries reach the person's scope."""
    try:
        signed, scope, found = await _campaigns(request, unit)
    except StaffError as exc:
        return refusal(request, exc)
    return render(request, "campaigns.html", signed=signed, scope=scope, campaigns=found, unit=unit)


@router.get("/campaigns.{fmt}", response_model=None)
async def campaigns_file(request: Request, fmt: Format, unit: str = "") -> Response:
    """The list of campaigns as a file (audited as an export)."""
    try:
        _signed, scope, found = await _campaigns(request, unit, export=fmt)
    except StaffError as exc:
        return refusal(request, exc)
    lang = language(request)

    def text(key: str) -> str:
        return text_of(lang, key)

    header = headers(
        lang,
        "dash-campaigns-col-name",
        "dash-campaigns-col-milestone",
        "dash-campaigns-col-status",
        "dash-campaigns-col-messages",
        "dash-campaign-file-sent-messages",
        "dash-campaigns-col-audience",
        "dash-campaigns-col-delivered",
    )
    rows = [
        [
            c.name,
            c.milestone.isoformat(),
            text(f"dash-campaign-status-{c.status}"),
            c.messages,
            c.sent_messages,
            c.audience,
            c.delivered,
        ]
        for c in found
    ]
    code = scope.code if scope else "toan-he-thong"
    today = now_of(request).astimezone(REPORT_ZONE)
    name = f"chien-dich-{code}-{today:%Y-%m-%d}.{fmt}"
    return file_response(table_file(header, rows, fmt, text("dash-nav-campaigns")), fmt, name)


async def _campaign(
    request: Request, campaign_id: str, unit: str, days: str, export: str | None = None
) -> tuple[Any, Any, cr.CampaignReport]:
    settings = settings_of(request)
    async with transaction(request) as session:
        signed = await signed_in(request, session)
        if not (campaign_id.isdigit() and len(campaign_id) <= 9):
            raise NotFound("dash-campaign-none")
        scope, report = await cr.access_campaign(
            session,
            signed.actor,
            int(campaign_id),
            unit or None,
            now_of(request),
            consent=settings.consent_version,
            window_days=int(days) if days.isdigit() and len(days) <= 3 else cr.WINDOW_DAYS,
            export=export,
        )
    return signed, scope, report


@router.get("/campaigns/{campaign_id}", response_class=HTMLResponse)
async def campaign_page(
    request: Request, campaign_id: str, unit: str = "", days: str = ""
) -> HTMLResponse:
    """One campaign: its messages on a timeline against the milestone, and in a table. An id
    that is not a number is the same 404 as an unknown one; a window that is not a number is
    the default (the domain keeps it within 1–30 days)."""
    settings = settings_of(request)
    try:
        signed, scope, report = await _campaign(request, campaign_id, unit, days)
    except StaffError as exc:
        return refusal(request, exc)
    lang = language(request)
    return render(
        request,
        "campaign.html",
        signed=signed,
        scope=scope,
        report=report,
        unit=unit,
        line=timeline(report),
        points=lambda value: points(value, lang),
        deadline=settings.target_deadline,
    )


@router.get("/campaigns/{campaign_id}/messages.{fmt}", response_model=None)
async def campaign_file(
    request: Request, campaign_id: str, fmt: Format, unit: str = "", days: str = ""
) -> Response:
    """The campaign's table of messages as a file (audited as an export)."""
    try:
        _signed, scope, report = await _campaign(request, campaign_id, unit, days, export=fmt)
    except StaffError as exc:
        return refusal(request, exc)
    lang = language(request)

    def text(key: str, **variables: Any) -> str:
        return text_of(lang, key, **variables)

    window = report.window_days
    header = [
        text("dash-campaign-col-when"),
        text("dash-campaign-col-message"),
        text("dash-campaign-col-sent"),
        text("dash-campaign-file-reached"),
        text("dash-campaign-file-audience"),
        text("dash-campaign-col-before", days=window),
        text("dash-campaign-col-after", days=window),
        text("dash-campaign-col-change"),
        text("dash-campaign-file-points"),
    ]
    rows: list[list[Any]] = []
    for m in report.messages:
        a = m.activity
        rows.append(
            [
                m.planned_at.strftime("%Y-%m-%d %H:%M"),
                m.text,
                text("dash-yes" if m.sent else "dash-no"),
                m.reached if m.sent else "",
                m.audience,
                a.before if a else "",
                a.after if a else "",
                a.change if a else "",
                round(a.change_points, 1) if a and a.change_points is not None else "",
            ]
        )
    code = scope.code if scope else "toan-he-thong"
    name = f"chien-dich-{report.summary.slug}-{code}-{report.today:%Y-%m-%d}.{fmt}"
    body = table_file(header, rows, fmt, text("dash-nav-campaigns"))
    return file_response(body, fmt, name)
