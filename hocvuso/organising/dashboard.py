"""The organisers' web dashboard: sign-in without passwords, sessions, and what each page shows.

``/dashboard`` in the chat issues a one-time link (:func:`do_issue_login_link`, the same right as
``/report``); opening it (a POST from the confirm page, so that link scanners and prefetches do
not use it up) starts a session (:func:`do_open_session`): a random cookie whose SHA-256 is kept,
expiring after :data:`IDLE` without a request and :data:`ABSOLUTE` after sign-in, with a CSRF
secret every form carries. Every request checks the session and reloads the person's grants
(:func:`access_session`), so a revoked role ends the dashboard at the next click.

The pages call the same domain functions as the chat: the overview is
:func:`hocvuso.organising.reports.unit_report` (the figures of ``/report``), the scope is
:func:`hocvuso.organising.permissions.access_unit`. Every view and export is audited.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import delete, func, or_, select, update
from sqlmodel import col
from sqlmodel import select as orm_select
from sqlmodel.ext.asyncio.session import AsyncSession

from hocvuso.organising import audit, reports
from hocvuso.organising.errors import Forbidden, NotFound, StaffError
from hocvuso.organising.forecast import Target
from hocvuso.organising.permissions import Action, Actor, access_unit, check_role, load_actor
from hocvuso.storage import tables
from hocvuso.storage.consent import consented
from hocvuso.storage.models import LearnerStatus
from hocvuso.storage.organising import DashboardLogin, DashboardSession, Unit

#: A sign-in link is valid this long, once.
LOGIN_TTL = timedelta(minutes=10)
#: A session ends after this long without a request ...
IDLE = timedelta(minutes=30)
#: ... and this long after sign-in, whatever happens.
ABSOLUTE = timedelta(hours=8)
#: ``last_seen_at`` is written at most this often (one write per click is not needed).
TOUCH_EVERY = timedelta(minutes=1)
#: Expired links and sessions are deleted by :func:`sweep_expired` this long after expiry.
KEEP_EXPIRED = timedelta(days=1)
#: At most this many learners are listed on a unit's page (the file has every one).
LEARNERS_SHOWN = 500
VIA = "web"

L = tables.LEARNER
C = tables.CERTIFICATE


def digest(value: str) -> str:
    """SHA-256 (hex) of a token or cookie: what the tables keep instead of the value."""
    return hashlib.sha256(value.encode()).hexdigest()


@dataclass(frozen=True)
class Opened:
    """A new session: the cookie's value (given to the browser once, never stored)."""

    cookie: str
    learner_id: int
    expires_at: datetime


@dataclass(frozen=True)
class Signed:
    """A live session: who, their rights (through the web), the CSRF secret of its forms."""

    actor: Actor
    learner_id: int
    csrf: str
    expires_at: datetime
    #: The session's key (the cookie's SHA-256).
    key: str

    def csrf_ok(self, token: str | None) -> bool:
        return bool(token) and hmac.compare_digest(self.csrf, token or "")


# --- sign-in --------------------------------------------------------------------------------
async def do_issue_login_link(session: AsyncSession, actor: Actor, now: datetime) -> str:
    """A one-time sign-in token for an organiser or admin (the right of ``/report``)."""
    check_role(actor, Action.REPORT)
    if actor.learner_id is None:  # the command line has no one to sign in
        raise Forbidden("forbidden-report")
    token = secrets.token_urlsafe(32)
    session.add(
        DashboardLogin(
            token_hash=digest(token),
            learner_id=actor.learner_id,
            created_at=now,
            expires_at=now + LOGIN_TTL,
        )
    )
    await audit.record_by(session, actor, audit.DASHBOARD_LINK, None, now)
    return token


async def peek_login(session: AsyncSession, token: str, now: datetime) -> int:
    """The person a link would sign in (the confirm page), refusing it as opening would."""
    login = (
        await session.exec(
            orm_select(DashboardLogin).where(DashboardLogin.token_hash == digest(token))
        )
    ).first()
    if login is None or login.used_at is not None or login.expires_at <= now:
        raise Forbidden("dashboard-link-invalid")
    return login.learner_id


async def do_open_session(
    session: AsyncSession, token: str, now: datetime, *, signed_in_as: int | None = None
) -> Opened:
    """Use a sign-in link: once, before it expires, by the person it was issued to.

    ``signed_in_as``: the person of a session the browser already has; a link of someone else
    is refused there (nobody is switched into another person's dashboard by a link).
    """
    connection = await session.connection()
    used = await connection.execute(
        update(DashboardLogin)
        .where(
            col(DashboardLogin.token_hash) == digest(token),
            col(DashboardLogin.used_at).is_(None),
            col(DashboardLogin.expires_at) > now,
        )
        .values(used_at=now)
        .returning(col(DashboardLogin.learner_id))
    )
    row = used.first()
    if row is None:
        raise Forbidden("dashboard-link-invalid")
    learner_id = int(row[0])
    if signed_in_as is not None and signed_in_as != learner_id:
        raise Forbidden("dashboard-link-other")
    actor = _web(await load_actor(session, learner_id))
    check_role(actor, Action.REPORT)  # the role may have been revoked since the link was sent
    cookie = secrets.token_urlsafe(32)
    expires_at = now + ABSOLUTE
    session.add(
        DashboardSession(
            id_hash=digest(cookie),
            learner_id=learner_id,
            created_at=now,
            last_seen_at=now,
            expires_at=expires_at,
            csrf_secret=secrets.token_urlsafe(32),
        )
    )
    await audit.record_by(session, actor, audit.DASHBOARD_LOGIN, None, now)
    return Opened(cookie, learner_id, expires_at)


async def access_session(session: AsyncSession, cookie: str | None, now: datetime) -> Signed:
    """The session of a cookie, if live (not revoked, not idle too long, not past its end) and
    its person still holds an organiser's or admin's role."""
    found = await session.get(DashboardSession, digest(cookie)) if cookie else None
    if (
        found is None
        or found.revoked_at is not None
        or found.expires_at <= now
        or found.last_seen_at + IDLE <= now
    ):
        raise Forbidden("dashboard-signed-out")
    actor = _web(await load_actor(session, found.learner_id))
    try:
        check_role(actor, Action.REPORT)
    except Forbidden:
        found.revoked_at = now
        session.add(found)
        raise Forbidden("dashboard-signed-out") from None
    if now - found.last_seen_at >= TOUCH_EVERY:
        found.last_seen_at = now
        session.add(found)
    return Signed(actor, found.learner_id, found.csrf_secret, found.expires_at, found.id_hash)


async def do_logout(session: AsyncSession, signed: Signed, now: datetime) -> None:
    connection = await session.connection()
    await connection.execute(
        update(DashboardSession)
        .where(col(DashboardSession.id_hash) == signed.key)
        .values(revoked_at=now)
    )
    await audit.record_by(session, signed.actor, audit.DASHBOARD_LOGOUT, None, now)


async def sweep_expired(session: AsyncSession, now: datetime) -> int:
    """Delete links and sessions that ended more than :data:`KEEP_EXPIRED` ago."""
    before = now - KEEP_EXPIRED
    connection = await session.connection()
    links = await connection.execute(
        delete(DashboardLogin).where(col(DashboardLogin.expires_at) < before)
    )
    sessions = await connection.execute(
        delete(DashboardSession).where(
            or_(
                col(DashboardSession.expires_at) < before,
                col(DashboardSession.revoked_at) < before,
            )
        )
    )
    return int(links.rowcount or 0) + int(sessions.rowcount or 0)


def _web(actor: Actor) -> Actor:
    return dataclasses.replace(actor, via=VIA)


# --- pages ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Person:
    """A learner as a unit's page shows them: standing and last active day, never answers."""

    id: int
    name: str
    level: int
    #: The highest level certified (0: none yet).
    certified: int
    last_active: date | None

    def at_target(self, target: Target) -> bool:
        return self.certified >= target.level


@dataclass(frozen=True)
class UnitPage:
    unit: Unit
    report: reports.Report
    people: tuple[Person, ...]
    #: Learners directly in the unit who are not listed: not agreed to the current terms.
    hidden: int
    #: Listed learners beyond :data:`LEARNERS_SHOWN` (in the file only).
    more: int


async def unit_in_scope(
    session: AsyncSession, actor: Actor, code: str | None, action: Action = Action.REPORT
) -> Unit | None:
    """The unit the person may ``action`` (by default: see its report), or None for the whole
    tree (admins); a unit outside the scope and a unit that does not exist are one and the same
    refusal (NotFound ``dashboard-no-unit``), so no code leaks. Every dashboard page's scope."""
    try:
        return await access_unit(session, actor, action, (code or "").strip() or None)
    except NotFound:
        raise NotFound("dashboard-no-unit") from None
    except Forbidden as exc:
        if exc.key == "forbidden-unit":
            raise NotFound("dashboard-no-unit") from None
        raise


async def access_overview(
    session: AsyncSession,
    actor: Actor,
    code: str | None,
    target: Target,
    now: datetime,
    *,
    export: str | None = None,
) -> reports.Report:
    """The overview: ``/report``'s figures of the person's scope (or of ``code`` in it)."""
    unit = await unit_in_scope(session, actor, code)
    report = await reports.unit_report(session, unit, target, now)
    await _audit_page(session, actor, "overview", unit, now, export)
    return report


async def access_unit_page(
    session: AsyncSession,
    actor: Actor,
    code: str,
    target: Target,
    now: datetime,
    *,
    consent: str,
    export: str | None = None,
    limit: int = LEARNERS_SHOWN,
) -> UnitPage:
    """A unit's drill-down: its sub-units' figures and the learners directly in it whom the
    person may see by name (those who agreed to the current terms)."""
    unit = await unit_in_scope(session, actor, code)
    assert unit is not None  # a code was given
    report = await reports.unit_report(session, unit, target, now)
    people, listed = await _people(session, unit.code, consent, limit)
    connection = await session.connection()
    everyone = await connection.execute(
        select(func.count())
        .select_from(L)
        .where(L.c.unit_code == unit.code, L.c.status != LearnerStatus.ERASED)
    )
    hidden = int(everyone.scalar_one()) - listed
    await _audit_page(session, actor, "unit", unit, now, export)
    return UnitPage(unit, report, people, hidden, listed - len(people))


async def _people(
    session: AsyncSession, code: str, consent: str, limit: int
) -> tuple[tuple[Person, ...], int]:
    best = (
        select(C.c.learner_id, func.max(C.c.level).label("best"))
        .where(
            C.c.revoked_at.is_(None),
            # Only the unit's learners' certificates, not the whole table's.
            C.c.learner_id.in_(select(L.c.id).where(L.c.unit_code == code)),
        )
        .group_by(C.c.learner_id)
        .subquery("best")
    )
    visible = (L.c.unit_code == code, L.c.status != LearnerStatus.ERASED, consented(consent))
    query = (
        select(L.c.id, L.c.display_name, L.c.level, L.c.last_active_at, best.c.best)
        .select_from(L.outerjoin(best, best.c.learner_id == L.c.id))
        .where(*visible)
        .order_by(L.c.id)
        .limit(limit)
    )
    connection = await session.connection()
    rows = (await connection.execute(query)).all()
    count = await connection.execute(select(func.count()).select_from(L).where(*visible))
    people = tuple(
        Person(
            id=int(r.id),
            name=r.display_name or "—",
            level=int(r.level),
            certified=int(r.best or 0),
            last_active=r.last_active_at.astimezone(reports.REPORT_ZONE).date()
            if r.last_active_at
            else None,
        )
        for r in rows
    )
    return tuple(sorted(people, key=lambda p: (vietnamese_key(p.name), p.id))), int(
        count.scalar_one()
    )


def vietnamese_key(name: str) -> str:
    """Alphabetical order as a Vietnamese reader expects, the same on every database: letters
    without their tone marks, đ right after d (databases' collations differ)."""
    folded = unicodedata.normalize("NFD", name.casefold().replace("đ", "d\U0010ffff"))
    return "".join(c for c in folded if not unicodedata.combining(c))


async def _audit_page(
    session: AsyncSession,
    actor: Actor,
    page: str,
    unit: Unit | None,
    now: datetime,
    export: str | None,
) -> None:
    action = audit.DASHBOARD_EXPORT if export else audit.DASHBOARD_VIEW
    details = {"page": page, **({"format": export} if export else {})}
    await audit.record_by(session, actor, action, unit.id if unit else None, now, **details)


__all__ = [
    "ABSOLUTE",
    "IDLE",
    "LOGIN_TTL",
    "Opened",
    "Person",
    "Signed",
    "StaffError",
    "UnitPage",
    "access_overview",
    "access_session",
    "access_unit_page",
    "do_issue_login_link",
    "do_logout",
    "do_open_session",
    "peek_login",
    "sweep_expired",
]
