"""One-time, expiring role invitations and the deep-link payloads that carry invitations.

``t.me/<bot>?start=<payload>``: ``r-<token>`` accepts a role invitation, ``m-<code>`` links the
person to a mentor, anything else is tried as a unit invite code.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from hocvuso.config import Settings
from hocvuso.organising import audit, roles
from hocvuso.organising.errors import Forbidden, Invalid
from hocvuso.organising.permissions import Action, Actor, check_role, covers
from hocvuso.storage.models import Bot, Learner
from hocvuso.storage.organising import Role, RoleGrant, RoleInvite, Unit

ROLE_PREFIX = "r-"
MENTOR_PREFIX = "m-"
DEFAULT_HOURS = 72


def new_token() -> str:
    return secrets.token_urlsafe(18)  # 24 characters, 144 bits


def start_link(settings: Settings, payload: str, username: str | None = None) -> str:
    """The deep link for ``payload`` to the bot ``@username`` (default
    ``HOCVUSO_BOT_USERNAME``), or the command to type when the bot's name is unknown."""
    username = username or settings.bot_username
    if username:
        return f"https://t.me/{username.lstrip('@')}?start={payload}"
    return f"/start {payload}"


async def link_of(session: AsyncSession, settings: Settings, bot_id: int, payload: str) -> str:
    """The deep link to the bot the person talks to (its @name as Telegram reported it), so
    that whoever follows it joins the same bot."""
    username = None
    if bot_id:
        found = await session.exec(select(Bot.username).where(Bot.id == bot_id))
        username = found.first()
    return start_link(settings, payload, username)


async def create_role_invite(
    session: AsyncSession,
    actor: Actor,
    role: Role,
    unit: Unit | None,
    now: datetime,
    hours: int = DEFAULT_HOURS,
    *,
    invitee_id: int | None = None,
) -> RoleInvite:
    """Organisers may invite mentors in their subtree; only admins invite to other roles."""
    if role == Role.MENTOR and not actor.is_admin:
        check_role(actor, Action.INVITE_MENTOR)
        if unit is None or not covers(actor, Action.INVITE_MENTOR, unit.path):
            raise Forbidden("forbidden-unit", code=unit.code if unit else "—")
    else:
        check_role(actor, Action.GRANT)
    if role == Role.ORGANISER and unit is None:
        raise Invalid("organiser-needs-unit")
    if not 1 <= hours <= 24 * 30:
        raise Invalid("invite-bad-hours")
    invite = RoleInvite(
        token=new_token(),
        role=role,
        unit_id=unit.id if unit else None,
        created_by=actor.learner_id,
        invitee_id=invitee_id,
        created_at=now,
        expires_at=now + timedelta(hours=hours),
    )
    session.add(invite)
    await session.flush()
    await audit.record_by(
        session,
        actor,
        "role.invite",
        invite.unit_id,
        now,
        role=str(role),
        invite=invite.id,
        hours=hours,
    )
    return invite


async def do_accept_role_invite(
    session: AsyncSession, learner: Learner, token: str, now: datetime
) -> tuple[RoleGrant, Unit | None]:
    invite = (await session.exec(select(RoleInvite).where(RoleInvite.token == token))).first()
    if invite is None or invite.used_at is not None:
        raise Invalid("invite-invalid")
    if invite.invitee_id is not None and invite.invitee_id != learner.id:
        raise Invalid("invite-invalid")  # a personal invitation: only its invitee may accept
    if invite.expires_at <= now:
        raise Invalid("invite-expired")
    unit = await session.get(Unit, invite.unit_id) if invite.unit_id else None
    role = Role(invite.role)
    await roles.check_grantable(session, learner, role, unit)
    assert learner.id is not None
    held = await roles.active_grant(session, learner.id, role, invite.unit_id)
    if held is not None:  # the invitation stays usable for someone who needs it
        raise Invalid("invite-already-held")
    # One time: only the first to mark it used gets the role, even when two try at once.
    claimed = await session.exec(
        update(RoleInvite)
        .where(col(RoleInvite.id) == invite.id, col(RoleInvite.used_at).is_(None))
        .values(used_at=now, used_by=learner.id)
    )
    if not claimed.rowcount:
        raise Invalid("invite-invalid")
    grant = await roles.do_grant_unchecked(
        session, learner, role, unit, by=invite.created_by, via="invite", now=now
    )
    return grant, unit


def payload_kind(payload: str) -> tuple[str, str]:
    """``("role", token)``, ``("mentor", code)`` or ``("unit", invite code)``."""
    if payload.startswith(ROLE_PREFIX):
        return "role", payload.removeprefix(ROLE_PREFIX)
    if payload.startswith(MENTOR_PREFIX):
        return "mentor", payload.removeprefix(MENTOR_PREFIX)
    return "unit", payload
