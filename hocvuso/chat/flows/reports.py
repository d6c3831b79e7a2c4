"""Organisers' figures in the chat: ``/report`` (with its Excel file) and ``/leaderboard``."""

from __future__ import annotations

from hocvuso.chat.context import Ctx
from hocvuso.chat.flows import staff
from hocvuso.chat.replies import Document
from hocvuso.delivery import payloads as a
from hocvuso.delivery.payloads import Action
from hocvuso.i18n import Markup, escape
from hocvuso.organising import candidates, exports, leaderboard, mentoring, reports
from hocvuso.organising import permissions as perm

#: More sub-units than this: the rest are in the Excel file.
REPORT_ROWS = 40


def render_row(ctx: Ctx, row: reports.Row, label: str | None = None) -> str:
    certified = " · ".join(f"C{n}: {c}" for n, c in zip(reports.LEVELS, row.certified, strict=True))
    return ctx.t(
        "report-row",
        name=label or exports.row_name(row, ctx.lang),
        code=row.code,
        joined=row.joined,
        active=row.active,
        certified=certified,
        level=row.target.level,
        rate=exports.percent(row.certified_percent, ctx.lang),
        percent=exports.percent(row.percent_of_target, ctx.lang),
        forecast=exports.forecast_text(row, ctx.lang),
    )


async def show_report(ctx: Ctx, actor: perm.Actor, code: str) -> None:
    unit, report = await reports.access_report(
        ctx.session, actor, code or None, staff.target(ctx), ctx.now
    )
    parts = [exports.title(report, ctx.lang)]
    parts += [render_row(ctx, row) for row in report.rows[:REPORT_ROWS]]
    if len(report.rows) > REPORT_ROWS:
        parts.append(ctx.t("report-more", count=len(report.rows) - REPORT_ROWS))
    parts.append(render_row(ctx, report.total, ctx.t("report-total")))
    if report.unassigned:
        parts.append(ctx.t("report-unassigned", count=report.unassigned))
    suggested = await candidates.count(ctx.session, unit, consent=ctx.settings.consent_version)
    if suggested:
        parts.append(ctx.t("report-candidates", count=suggested))
    download = a.button(ctx.t("report-download"), a.REPORT_FILE, "", str(unit.id if unit else 0))
    ctx.say(Markup("\n\n".join(parts)), buttons=((download,),))


async def send_report_file(ctx: Ctx, actor: perm.Actor, unit_id: int) -> None:
    """The same report as an Excel file (every row), for office use; audited as an export."""
    report = await reports.access_report_of(
        ctx.session, actor, unit_id, staff.target(ctx), ctx.now, export="xlsx"
    )
    name = f"bao-cao-{report.unit_code or 'toan-he-thong'}-{report.today:%Y-%m-%d}.xlsx"
    ctx.say(
        exports.title(report, ctx.lang),
        document=Document(name, exports.to_xlsx(report, ctx.lang), kind=f"report:{unit_id}"),
    )


async def on_report_file(ctx: Ctx, actor: perm.Actor, action: Action) -> None:
    await send_report_file(ctx, actor, int(action.arg))


async def show_leaderboard(ctx: Ctx, _actor: perm.Actor, _args: str) -> None:
    """Completion % per unit; names only of those who opted in."""
    board = await leaderboard.leaderboard(
        ctx.session, ctx.me, staff.target(ctx), ctx.now, consent=ctx.settings.consent_version
    )
    if board is None:
        ctx.say(ctx.t("leaderboard-no-unit"))
        return
    lines = [ctx.t("leaderboard-title", level=board.level)]
    for place, row in enumerate(board.ranked, start=1):
        marker = "👉 " if row.code == board.own_code else ""
        rate = exports.percent(row.certified_percent, ctx.lang)
        lines.append(f"{place}. {marker}{escape(row.name)} — {rate}")
    if board.names:  # raw: the message escapes them, once
        lines.append(ctx.t("leaderboard-people", names=", ".join(board.names)))
    toggle = a.button(
        ctx.t("leaderboard-hide" if board.shown else "leaderboard-show"),
        a.LEADERBOARD,
        "",
        "0" if board.shown else "1",
    )
    ctx.say(Markup("\n".join(lines)), buttons=((toggle,),))


async def on_leaderboard(ctx: Ctx, actor: perm.Actor, action: Action) -> None:
    """Show or hide my name on the leaderboard, then show it again."""
    shown = action.arg == "1"
    await mentoring.set_leaderboard(ctx.session, ctx.me.id or 0, shown, ctx.now)
    ctx.toast(ctx.t("leaderboard-shown" if shown else "leaderboard-hidden"))
    await show_leaderboard(ctx, actor, "")
