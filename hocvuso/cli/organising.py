"""``hocvuso units …``, ``hocvuso roles …``, ``hocvuso report`` and ``hocvuso audit``: parse,
call one domain function, render. The command line acts as an admin (it holds the database);
every change is written to the audit log with ``via = cli``."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from datetime import date
from pathlib import Path
from typing import TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from hocvuso.cli import runs
from hocvuso.config import get_settings
from hocvuso.i18n import plain, t
from hocvuso.organising import exports, invites, mentoring, reports, roles, units
from hocvuso.organising import permissions as perm
from hocvuso.organising.errors import Invalid, StaffError
from hocvuso.organising.forecast import Target
from hocvuso.organising.permissions import CLI
from hocvuso.storage.models import Learner
from hocvuso.storage.organising import Role, Unit
from hocvuso.storage.types import utcnow

units_app = typer.Typer(help="The unit tree: import, list, invite codes.", no_args_is_help=True)
roles_app = typer.Typer(help="Scoped roles: grant, revoke, invite.", no_args_is_help=True)
console = Console()
T = TypeVar("T")
FORMATS = ("table", "csv", "xlsx", "json")


def _run(work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    settings = get_settings()

    try:
        return asyncio.run(runs.in_transaction(settings, lambda session, _rt: work(session)))
    except StaffError as exc:
        console.print(f"[red]{escape(plain(exc.message(settings.language)))}[/red]")
        raise typer.Exit(1) from exc


async def _learner(session: AsyncSession, learner: int | None, chat: int | None) -> int:
    if learner is not None:
        return learner
    if chat is not None:
        found = (await session.exec(select(Learner.id).where(Learner.chat_id == chat))).all()
        if len(found) > 1:  # the same person talks to two of the deployment's bots
            raise Invalid("learner-chat-ambiguous")
        if found and found[0] is not None:
            return found[0]
    raise Invalid("learner-not-found")


async def _unit(session: AsyncSession, code: str | None) -> Unit | None:
    return await units.by_code(session, code) if code else None


# --- units --------------------------------------------------------------------------------------
@units_app.command("import")
def units_import(file: Path = typer.Argument(..., exists=True, dir_okay=False)) -> None:
    """Create or update units from a CSV (code,name,parent) or YAML file."""

    async def work(session: AsyncSession) -> units.Imported:
        specs = units.load_file(file)
        return await units.import_units(session, specs, actor_id=None, via="cli", now=utcnow())

    result = _run(work)
    console.print(f"{result.created} units created, {result.updated} updated")


@units_app.command("list")
def units_list(under: str = typer.Option(None, help="Only this unit's subtree.")) -> None:
    """Units with their invite codes (``t.me/<bot>?start=<invite code>``)."""

    async def work(session: AsyncSession) -> list[Unit]:
        return await units.listing(session, await _unit(session, under))

    table = Table("code", "name", "invite code", "depth")
    for unit in _run(work):
        table.add_row(unit.code, unit.name, unit.invite_code, str(unit.path.count("/") - 2))
    console.print(table)


@units_app.command("rotate-invite")
def units_rotate(code: str) -> None:
    """Give a unit a new invite code (the old one stops working)."""

    async def work(session: AsyncSession) -> str:
        unit = await units.by_code(session, code)
        return await units.do_rotate_invite(session, CLI.learner_id, CLI.via, unit, utcnow())

    console.print(_run(work))


# --- roles --------------------------------------------------------------------------------------
def _role(value: str) -> Role:
    try:
        role = Role(value)
    except ValueError:
        role = Role.LEARNER
    if role not in (Role.MENTOR, Role.ORGANISER, Role.ADMIN):
        raise typer.BadParameter("role must be mentor, organiser or admin")
    return role


@roles_app.command("grant")
def roles_grant(
    role: str = typer.Argument(..., help="mentor | organiser | admin"),
    learner: int = typer.Option(None, help="The learner's id."),
    chat: int = typer.Option(None, help="Or their Telegram chat id."),
    unit: str = typer.Option(None, help="Unit code (organisers: required)."),
) -> None:
    """Grant a role scoped to a unit subtree."""

    async def work(session: AsyncSession) -> None:
        learner_id = await _learner(session, learner, chat)
        await roles.do_grant(
            session, CLI, learner_id, _role(role), await _unit(session, unit), utcnow()
        )

    _run(work)
    console.print(f"{role} granted")


@roles_app.command("revoke")
def roles_revoke(
    role: str = typer.Argument(..., help="mentor | organiser | admin"),
    learner: int = typer.Option(None, help="The learner's id."),
    chat: int = typer.Option(None, help="Or their Telegram chat id."),
    unit: str = typer.Option(None, help="Only in this unit (default: everywhere)."),
) -> None:
    """Revoke a role."""

    async def work(session: AsyncSession) -> int:
        learner_id = await _learner(session, learner, chat)
        return await roles.do_revoke(
            session, CLI, learner_id, _role(role), await _unit(session, unit), utcnow()
        )

    console.print(f"{_run(work)} grants revoked")


@roles_app.command("invite")
def roles_invite(
    role: str = typer.Argument(..., help="mentor | organiser | admin"),
    unit: str = typer.Option(None, help="Unit code (organisers: required)."),
    hours: int = typer.Option(invites.DEFAULT_HOURS, help="Valid for this many hours."),
) -> None:
    """A one-time invitation link to a role, valid for ``--hours``."""
    settings = get_settings()

    async def work(session: AsyncSession) -> str:
        invite = await invites.create_role_invite(
            session, CLI, _role(role), await _unit(session, unit), utcnow(), hours
        )
        link = invites.start_link(settings, invites.ROLE_PREFIX + invite.token)
        return f"{link}\n(one use, expires {invite.expires_at:%Y-%m-%d %H:%M} UTC)"

    console.print(_run(work))


@roles_app.command("list")
def roles_list() -> None:
    """Active grants."""
    table = Table("learner", "role", "unit", "since")
    for grant, unit in _run(roles.active_grants):
        table.add_row(
            str(grant.learner_id), grant.role, unit.code if unit else "*", f"{grant.granted_at:%F}"
        )
    console.print(table)


@roles_app.command("link-mentee")
def roles_link_mentee(
    mentor: int = typer.Option(..., help="The mentor's learner id."),
    mentee: int = typer.Option(..., help="The mentee's learner id."),
) -> None:
    """Pair a mentee with a mentor."""
    _run(lambda s: mentoring.do_link_by_organiser(s, CLI, mentor, mentee, utcnow()))
    console.print("linked")


# --- reports and the audit log ------------------------------------------------------------------
def report_command(
    ctx: typer.Context,
    unit: str = typer.Option(None, "--unit", help="Unit code (default: the whole tree)."),
    format: str = typer.Option("table", "--format", help="table | csv | xlsx | json"),
    output: Path = typer.Option(None, "--output", "-o", help="File (xlsx: required)."),
    level: int = typer.Option(None, help="Target level (default HOCVUSO_TARGET_LEVEL)."),
    percent: int = typer.Option(None, help="Target percent (default HOCVUSO_TARGET_PERCENT)."),
    deadline: str = typer.Option(None, help="YYYY-MM-DD (default HOCVUSO_TARGET_DEADLINE)."),
) -> None:
    """Per sub-unit: joined, active 7 days, certified per level, % of target, forecast.

    ``report questions`` and ``report retention``: the question and retention statistics."""
    if ctx.invoked_subcommand:  # ``report questions …``: that command's options apply
        return
    if format not in FORMATS:
        raise typer.BadParameter(f"--format must be one of {', '.join(FORMATS)}")
    if format == "xlsx" and output is None:
        raise typer.BadParameter("--format xlsx needs --output FILE.xlsx")
    settings = get_settings()
    target = Target(
        level=level or settings.target_level,
        percent=percent or settings.target_percent,
        deadline=date.fromisoformat(deadline) if deadline else settings.target_deadline,
    )

    async def work(session: AsyncSession) -> reports.Report:
        _root, report = await reports.access_report(
            session, CLI, unit, target, utcnow(), export=format
        )
        return report

    report = _run(work)
    language = settings.language
    if format == "table":
        title = exports.title(report, language, markup=False)
        table = Table(*exports.headers(language), title=escape(title))
        for row in exports.rows(report, language):
            table.add_row(*(escape("—" if v is None else str(v)) for v in row))
        console.print(table)
        if report.unassigned:
            console.print(escape(plain(t(language, "report-unassigned", count=report.unassigned))))
        return
    if format == "xlsx":
        output.write_bytes(exports.to_xlsx(report, language))
        console.print(f"written {output}")
        return
    text = exports.to_csv(report, language) if format == "csv" else exports.to_json(report)
    if output is not None:
        # CSV with a byte-order mark: Excel then reads the Vietnamese text as UTF-8.
        output.write_text(text, encoding="utf-8-sig" if format == "csv" else "utf-8")
        console.print(f"written {output}")
    else:
        sys.stdout.write(text)


def audit_command(limit: int = typer.Option(50, help="Most recent entries.")) -> None:
    """The audit log: who did what, when, in which scope (ids only)."""
    table = Table("when (UTC)", "actor", "via", "action", "unit", "details")
    for entry in _run(lambda s: perm.access_audit_log(s, CLI, limit=limit)):
        table.add_row(
            f"{entry.at:%F %T}",
            str(entry.actor_id or "—"),
            entry.via,
            entry.action,
            str(entry.unit_id or "*"),
            ", ".join(f"{k}={v}" for k, v in entry.details.items()),
        )
    console.print(table)
