"""The dashboard's campaigns pages: the campaigns that concern the person's scope, and one
campaign's messages against its milestone with their reach and the change in activity after
each (:mod:`hocvuso.organising.campaign_report`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from hocvuso.organising import campaign_report as cr
from hocvuso.organising.errors import NotFound, StaffError
from hocvuso.web.dashboard.common import (
    language,
    now_of,
    refusal,
    render,
    settings_of,
    signed_in,
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


@router.get("/campaigns", response_class=HTMLResponse)
async def campaigns_page(request: Request, unit: str = "") -> HTMLResponse:
    """The campaigns whose audience or deliveries reach the person's scope."""
    settings = settings_of(request)
    try:
        async with transaction(request) as session:
            signed = await signed_in(request, session)
            scope, found = await cr.access_campaigns(
                session,
                signed.actor,
                unit or None,
                now_of(request),
                consent=settings.consent_version,
            )
    except StaffError as exc:
        return refusal(request, exc)
    return render(request, "campaigns.html", signed=signed, scope=scope, campaigns=found, unit=unit)


@router.get("/campaigns/{campaign_id}", response_class=HTMLResponse)
async def campaign_page(
    request: Request, campaign_id: str, unit: str = "", days: str = ""
) -> HTMLResponse:
    """One campaign: its messages on a timeline against the milestone, and in a table. An id
    that is not a number is the same 404 as an unknown one; a window that is not a number is
    the default (the domain keeps it within 1–30 days)."""
    settings = settings_of(request)
    try:
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
            )
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
