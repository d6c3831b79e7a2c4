"""One-time, expiring role invitations (``/start r-<token>``), who may create them, the mentor's
certificate, and granting and revoking roles from the command line."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from hocvuso.chat.engine import Engine
from hocvuso.content.loader import Pack
from hocvuso.i18n import t
from hocvuso.organising import invites, roles
from hocvuso.organising import permissions as perm
from hocvuso.organising.errors import StaffError
from hocvuso.storage.models import Learner
from hocvuso.storage.organising import AuditEntry, MentorLink, Role, RoleGrant, RoleInvite, Unit
from tests.factories import Clock, Conversation, add_learner, grant, plain, talk
from tests.organising.cli import hocvuso

NOW = datetime(2026, 11, 23, tzinfo=UTC)


def said(key: str, **variables: object) -> str:
    return plain(t("vi", key, **variables))


async def invite(
    sessions: async_sessionmaker[AsyncSession],
    role: Role,
    unit: Unit | None,
    now: datetime,
    *,
    by: Learner | None = None,
    hours: int = invites.DEFAULT_HOURS,
) -> RoleInvite:
    """An invitation made by ``by`` (default: an admin at the command line)."""
    async with sessions() as session, session.begin():
        actor = perm.CLI if by is None else await perm.load_actor(session, by.id or 0)
        return await invites.create_role_invite(session, actor, role, unit, now, hours)


async def try_invite(
    sessions: async_sessionmaker[AsyncSession],
    by: Learner,
    role: Role,
    unit: Unit | None,
    **kw: int,
) -> str:
    try:
        await invite(sessions, role, unit, NOW, by=by, **kw)
    except StaffError as exc:
        return exc.message("vi")
    return "ok"


async def grants_of(sessions: async_sessionmaker[AsyncSession], learner: Learner) -> list[str]:
    async with sessions() as session:
        found = await session.exec(
            select(RoleGrant).where(
                RoleGrant.learner_id == learner.id, col(RoleGrant.revoked_at).is_(None)
            )
        )
        return sorted(g.role for g in found.all())


async def stored_invite(sessions: async_sessionmaker[AsyncSession], token: str) -> RoleInvite:
    async with sessions() as session:
        return (await session.exec(select(RoleInvite).where(RoleInvite.token == token))).one()


@pytest.fixture
async def people(
    sessions: async_sessionmaker[AsyncSession], tree: dict[str, Unit], clock: Clock
) -> dict[str, Learner]:
    joined = clock.now - timedelta(days=20)
    found = {
        "lan": await add_learner(sessions, unit="A1", name="Nguyễn Thị Lan", created_at=joined),
        "binh": await add_learner(sessions, unit="B1", name="Trần Văn Bình", created_at=joined),
        "certified": await add_learner(
            sessions,
            unit="A2x",
            name="Phạm Thị Cúc",
            created_at=joined,
            certified=[(1, joined + timedelta(days=5))],
        ),
        "organiser-A2": await add_learner(
            sessions, unit="A2", name="Hoàng Văn Hải", created_at=joined
        ),
    }
    await grant(sessions, found["organiser-A2"], Role.ORGANISER, tree["A2"])
    return found


# --- one time, expiring --------------------------------------------------------------------------
async def test_an_invitation_works_once_and_the_next_person_with_the_link_is_refused(
    sessions: async_sessionmaker[AsyncSession],
    engine: Engine,
    pack: Pack,
    clock: Clock,
    tree: dict[str, Unit],
    people: dict[str, Learner],
) -> None:
    made = await invite(sessions, Role.ORGANISER, tree["A"], clock.now)
    lan, binh = talk(engine, pack, people["lan"]), talk(engine, pack, people["binh"])

    await lan.send(f"/start r-{made.token}")
    assert said("role-granted-organiser", unit="Đơn vị A") in lan.text
    await binh.send(f"/start r-{made.token}")
    assert said("invite-invalid") in binh.text
    await lan.send(f"/start r-{made.token}")  # the same link again changes nothing either
    assert said("invite-invalid") in lan.text

    assert await grants_of(sessions, people["lan"]) == [Role.ORGANISER]
    assert await grants_of(sessions, people["binh"]) == []
    used = await stored_invite(sessions, made.token)
    assert (used.used_by, used.used_at) == (people["lan"].id, clock.now)
    await lan.send("/report")
    assert "Báo cáo: Đơn vị A" in lan.text
    await binh.send("/report")
    assert binh.text == said("forbidden-report")


async def test_a_new_person_accepts_an_invitation_through_the_consent_screen(
    sessions: async_sessionmaker[AsyncSession],
    chat: Conversation,
    clock: Clock,
    tree: dict[str, Unit],
) -> None:
    made = await invite(sessions, Role.ORGANISER, tree["B1"], clock.now)

    await chat.send(f"/start r-{made.token}")
    assert "Tôi đồng ý" in chat.buttons()[0].label  # nothing happens before consent
    assert (await stored_invite(sessions, made.token)).used_at is None
    await chat.press("Tôi đồng ý")

    assert said("role-granted-organiser", unit="Phòng B1") in chat.text
    assert "Tiếng Việt" in [b.label for b in chat.buttons()]  # onboarding goes on
    async with sessions() as session:
        (holder,) = (await session.exec(select(RoleGrant))).all()
        learner = await session.get(Learner, holder.learner_id)
    assert learner is not None and learner.chat_id == chat.chat_id


@pytest.mark.parametrize(("hours", "accepted"), [(71, True), (72, False), (73, False)])
async def test_an_invitation_expires_after_72_hours(
    sessions: async_sessionmaker[AsyncSession],
    engine: Engine,
    pack: Pack,
    clock: Clock,
    tree: dict[str, Unit],
    people: dict[str, Learner],
    hours: int,
    accepted: bool,
) -> None:
    made = await invite(sessions, Role.ORGANISER, tree["A"], clock.now)
    lan = talk(engine, pack, people["lan"])
    clock.advance(hours=hours)

    await lan.send(f"/start r-{made.token}")

    if accepted:
        assert said("role-granted-organiser", unit="Đơn vị A") in lan.text
        assert await grants_of(sessions, people["lan"]) == [Role.ORGANISER]
    else:
        assert said("invite-expired") in lan.text
        assert await grants_of(sessions, people["lan"]) == []
        assert (await stored_invite(sessions, made.token)).used_at is None


@pytest.mark.parametrize("token", ["r-", "r-x", "r-not-a-real-invitation-tok"])
async def test_a_made_up_invitation_is_refused(
    sessions: async_sessionmaker[AsyncSession],
    engine: Engine,
    pack: Pack,
    people: dict[str, Learner],
    token: str,
) -> None:
    lan = talk(engine, pack, people["lan"])

    await lan.send(f"/start {token}")

    assert said("invite-invalid") in lan.text
    assert await grants_of(sessions, people["lan"]) == []


async def test_invitation_tokens_are_long_random_and_distinct(
    sessions: async_sessionmaker[AsyncSession], clock: Clock, tree: dict[str, Unit]
) -> None:
    made = [await invite(sessions, Role.MENTOR, tree["A"], clock.now) for _ in range(20)]

    tokens = {m.token for m in made}
    assert len(tokens) == 20
    assert all(len(token) >= 24 for token in tokens)
    assert all(m.expires_at == clock.now + timedelta(hours=72) for m in made)


# --- mentors need a level-1 certificate -----------------------------------------------------------
async def test_a_mentor_invitation_needs_a_level_1_certificate_and_stays_usable_until_then(
    sessions: async_sessionmaker[AsyncSession],
    engine: Engine,
    pack: Pack,
    people: dict[str, Learner],
) -> None:
    organiser = talk(engine, pack, people["organiser-A2"])
    await organiser.send("/invite_mentor A2x")
    token = organiser.text.split("/start r-")[1].split()[0]
    lan, cuc = talk(engine, pack, people["lan"]), talk(engine, pack, people["certified"])

    await lan.send(f"/start r-{token}")
    assert said("mentor-needs-certificate", level=1) in lan.text
    assert await grants_of(sessions, people["lan"]) == []
    assert (await stored_invite(sessions, token)).used_at is None

    await cuc.send(f"/start r-{token}")
    assert said("role-granted-mentor", unit="Tổ A2x") in cuc.text
    await cuc.send("/mentees")
    assert "Anh/chị chưa có học viên nào" in cuc.text


# --- who may invite to which role -----------------------------------------------------------------
async def test_an_organiser_invites_mentors_only_inside_their_subtree(
    sessions: async_sessionmaker[AsyncSession],
    engine: Engine,
    pack: Pack,
    tree: dict[str, Unit],
    people: dict[str, Learner],
) -> None:
    organiser = people["organiser-A2"]
    chat = talk(engine, pack, organiser)

    await chat.send("/invite_mentor")
    own = chat.text
    await chat.send("/invite_mentor A2x")
    below = chat.text
    await chat.send("/invite_mentor A1")
    sibling = chat.text
    await chat.send("/invite_mentor A")
    parent = chat.text

    assert "người hướng dẫn (hạt nhân lan tỏa) của Phòng A2" in own
    assert "người hướng dẫn (hạt nhân lan tỏa) của Tổ A2x" in below
    assert sibling == said("forbidden-unit", code="A1")
    assert parent == said("forbidden-unit", code="A")
    assert await try_invite(sessions, organiser, Role.MENTOR, tree["B1"]) == said(
        "forbidden-unit", code="B1"
    )
    async with sessions() as session:
        made = (await session.exec(select(RoleInvite).order_by(col(RoleInvite.id)))).all()
    assert [(i.role, i.unit_id, i.created_by) for i in made] == [
        (Role.MENTOR, tree["A2"].id, organiser.id),
        (Role.MENTOR, tree["A2x"].id, organiser.id),
    ]


@pytest.mark.parametrize(
    ("who", "role", "unit", "key"),
    [
        ("organiser-A2", Role.ORGANISER, "A2x", "forbidden-grant"),
        ("organiser-A2", Role.ORGANISER, "A2", "forbidden-grant"),
        ("organiser-A2", Role.ADMIN, None, "forbidden-grant"),
        ("lan", Role.MENTOR, "A1", "forbidden-invite-mentor"),
        ("lan", Role.ORGANISER, "A1", "forbidden-grant"),
        ("mentor", Role.MENTOR, "A2x", "forbidden-invite-mentor"),
    ],
)
async def test_only_admins_invite_organisers_and_admins(
    sessions: async_sessionmaker[AsyncSession],
    tree: dict[str, Unit],
    people: dict[str, Learner],
    who: str,
    role: Role,
    unit: str | None,
    key: str,
) -> None:
    if who == "mentor":
        await grant(sessions, people["certified"], Role.MENTOR, tree["A2x"])
    by = people["certified" if who == "mentor" else who]

    answer = await try_invite(sessions, by, role, tree[unit] if unit else None)

    assert answer == said(key)
    async with sessions() as session:
        assert (await session.exec(select(RoleInvite))).all() == []


async def test_an_admin_invites_any_role_within_sensible_limits(
    sessions: async_sessionmaker[AsyncSession],
    engine: Engine,
    pack: Pack,
    tree: dict[str, Unit],
    people: dict[str, Learner],
    clock: Clock,
) -> None:
    admin = await add_learner(sessions, unit=None, name="Quản trị", created_at=clock.now)
    await grant(sessions, admin, Role.ADMIN, None)

    assert await try_invite(sessions, admin, Role.ORGANISER, None) == said("organiser-needs-unit")
    assert await try_invite(sessions, admin, Role.ADMIN, None, hours=0) == said("invite-bad-hours")
    assert await try_invite(sessions, admin, Role.ADMIN, None, hours=24 * 30 + 1) == said(
        "invite-bad-hours"
    )
    made = await invite(sessions, Role.ADMIN, None, clock.now, by=admin)
    binh = talk(engine, pack, people["binh"])
    await binh.send(f"/start r-{made.token}")

    assert said("role-granted-admin") in binh.text
    await binh.send("/report A2x")
    assert "Báo cáo: Tổ A2x" in binh.text
    async with sessions() as session:
        entry = (
            await session.exec(select(AuditEntry).where(AuditEntry.action == "role.invite"))
        ).one()
    assert (entry.actor_id, entry.via, entry.unit_id) == (admin.id, "chat", None)
    assert entry.details == {"role": "admin", "invite": made.id, "hours": 72}


async def test_granting_again_changes_nothing_and_each_unit_or_everywhere_is_its_own_grant(
    sessions: async_sessionmaker[AsyncSession], tree: dict[str, Unit], people: dict[str, Learner]
) -> None:
    cuc = people["certified"]
    scopes = [("organiser", "A"), ("organiser", "A"), ("organiser", "B")]
    scopes += [("mentor", "A2x"), ("mentor", None), ("mentor", None), ("admin", None)] * 2
    async with sessions() as session, session.begin():
        for role, unit in scopes:
            await roles.do_grant(
                session, perm.CLI, cuc.id or 0, Role(role), tree[unit] if unit else None, NOW
            )
    async with sessions() as session:
        held = (await session.exec(select(RoleGrant).where(RoleGrant.learner_id == cuc.id))).all()
        audited = (await session.exec(select(AuditEntry))).all()

    assert sorted((g.role, g.unit_id or 0) for g in held) == sorted(
        [
            (Role.ORGANISER, tree["A"].id or 0),
            (Role.ORGANISER, tree["B"].id or 0),
            (Role.MENTOR, tree["A2x"].id or 0),
            (Role.MENTOR, 0),  # everywhere: not the same grant as the one in A2x
            (Role.ADMIN, 0),
        ]
    )
    assert len([e for e in audited if e.action == "role.grant" and e.at == NOW]) == 5


# --- the command line -----------------------------------------------------------------------------
async def test_the_cli_grants_lists_and_revokes_a_role_and_audits_each_change(
    database_url: str,
    sessions: async_sessionmaker[AsyncSession],
    engine: Engine,
    pack: Pack,
    people: dict[str, Learner],
    tree: dict[str, Unit],
) -> None:
    lan = people["lan"]
    chat = talk(engine, pack, lan)

    granted = await hocvuso(
        database_url, "roles", "grant", "organiser", "--learner", str(lan.id), "--unit", "A"
    )
    listed = await hocvuso(database_url, "roles", "list")
    await chat.send("/report A2x")
    reported = chat.text
    revoked = await hocvuso(
        database_url, "roles", "revoke", "organiser", "--chat", str(lan.chat_id)
    )
    await chat.send("/report A2x")

    assert (granted.exit_code, granted.output) == (0, "organiser granted\n")
    assert listed.exit_code == 0
    assert f"{lan.id}" in listed.output and "organiser" in listed.output and " A " in listed.output
    assert "Báo cáo: Tổ A2x" in reported
    assert (revoked.exit_code, revoked.output) == (0, "1 grants revoked\n")
    assert chat.text == said("forbidden-report")
    async with sessions() as session:
        entries = (
            await session.exec(
                select(AuditEntry)
                .where(col(AuditEntry.action).startswith("role."))
                .order_by(col(AuditEntry.id))
            )
        ).all()
    assert [(e.actor_id, e.via, e.action, e.unit_id) for e in entries][-2:] == [
        (None, "cli", "role.grant", tree["A"].id),
        (None, "cli", "role.revoke", None),
    ]
    assert entries[-1].details == {"learner": lan.id, "role": "organiser", "revoked": 1}


@pytest.mark.parametrize(
    ("args", "key", "variables"),
    [
        (["organiser", "--learner", "{lan}"], "organiser-needs-unit", {}),
        (["mentor", "--learner", "{lan}"], "mentor-needs-certificate", {"level": 1}),
        (["organiser", "--learner", "987654", "--unit", "A"], "learner-not-found", {}),
        (["organiser", "--chat", "987654", "--unit", "A"], "learner-not-found", {}),
        (["organiser", "--learner", "{lan}", "--unit", "KHONG-CO"], "unit-not-found", {}),
    ],
)
async def test_the_cli_refuses_a_grant_that_cannot_be_made_with_a_clear_message(
    database_url: str,
    sessions: async_sessionmaker[AsyncSession],
    people: dict[str, Learner],
    args: list[str],
    key: str,
    variables: dict[str, object],
) -> None:
    argv = [a.format(lan=people["lan"].id) for a in args]

    result = await hocvuso(database_url, "roles", "grant", *argv)

    assert result.exit_code == 1
    expected = said(key, code="KHONG-CO", **variables)
    assert " ".join(expected.split()) in " ".join(result.output.split())
    assert await grants_of(sessions, people["lan"]) == []


async def test_the_cli_grants_a_mentor_with_a_certificate_and_links_a_mentee(
    database_url: str, sessions: async_sessionmaker[AsyncSession], people: dict[str, Learner]
) -> None:
    mentor, mentee = people["certified"], people["lan"]

    granted = await hocvuso(database_url, "roles", "grant", "mentor", "--learner", str(mentor.id))
    linked = await hocvuso(
        database_url, "roles", "link-mentee", "--mentor", str(mentor.id), "--mentee", str(mentee.id)
    )
    unknown = await hocvuso(database_url, "roles", "grant", "boss", "--learner", str(mentor.id))

    assert (granted.exit_code, linked.exit_code, linked.output) == (0, 0, "linked\n")
    assert unknown.exit_code == 2 and "mentor, organiser or admin" in unknown.output
    assert await grants_of(sessions, mentor) == [Role.MENTOR]
    async with sessions() as session:
        links = (await session.exec(select(MentorLink))).all()
    assert [(x.mentor_id, x.mentee_id) for x in links] == [(mentor.id, mentee.id)]


async def test_the_cli_invitation_link_opens_the_role_once(
    database_url: str,
    sessions: async_sessionmaker[AsyncSession],
    engine: Engine,
    pack: Pack,
    clock: Clock,
    people: dict[str, Learner],
) -> None:
    clock.now = datetime.now(UTC)  # the command line stamps the invitation with the real time

    result = await hocvuso(
        database_url, "roles", "invite", "organiser", "--unit", "B", "--hours", "2"
    )

    assert result.exit_code == 0, result.output
    link = result.output.split()[0]
    assert link.startswith("https://t.me/hocvuso_test_bot?start=r-")
    assert "one use, expires" in result.output
    binh = talk(engine, pack, people["binh"])
    await binh.send(f"/start {link.split('start=')[1]}")
    assert said("role-granted-organiser", unit="Đơn vị B") in binh.text
    clock.advance(hours=3)
    lan = talk(engine, pack, people["lan"])
    await lan.send(f"/start {link.split('start=')[1]}")
    assert said("invite-invalid") in lan.text


async def test_the_cli_shows_the_audit_log(
    database_url: str, people: dict[str, Learner], tree: dict[str, Unit]
) -> None:
    await hocvuso(database_url, "roles", "grant", "organiser", "--learner", "1", "--unit", "B")

    result = await hocvuso(database_url, "audit", "--limit", "5")

    assert result.exit_code == 0
    assert "role.grant" in result.output and "cli" in result.output
    for person in people.values():
        assert str(person.display_name) not in result.output


async def test_an_invitation_to_a_role_already_held_is_not_used_up(
    sessions: async_sessionmaker[AsyncSession],
    engine: Engine,
    pack: Pack,
    clock: Clock,
    tree: dict[str, Unit],
    people: dict[str, Learner],
) -> None:
    first = await invite(sessions, Role.ORGANISER, tree["A"], clock.now)
    second = await invite(sessions, Role.ORGANISER, tree["A"], clock.now)
    lan, binh = talk(engine, pack, people["lan"]), talk(engine, pack, people["binh"])
    await lan.send(f"/start r-{first.token}")
    await lan.send(f"/start r-{second.token}")
    assert said("invite-already-held") in lan.text
    assert (await stored_invite(sessions, second.token)).used_at is None
    await binh.send(f"/start r-{second.token}")  # still good for the person who needs it
    assert said("role-granted-organiser", unit="Đơn vị A") in binh.text


async def test_an_invite_link_leads_to_the_bot_the_person_talks_to(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    from hocvuso.config import Settings
    from hocvuso.storage.models import Bot

    settings = Settings(bot_username="hocvuso_bot")
    async with sessions() as session, session.begin():
        session.add(Bot(id=71, name="hue", token_env="T", username="hocvuso_hue_bot"))
    async with sessions() as session:
        assert await invites.link_of(session, settings, 71, "m-x") == (
            "https://t.me/hocvuso_hue_bot?start=m-x"
        )
        # A bot whose @name is not known yet, and the terminal chat: the configured name.
        assert await invites.link_of(session, settings, 72, "m-x") == (
            "https://t.me/hocvuso_bot?start=m-x"
        )
        assert await invites.link_of(session, Settings(), 0, "m-x") == "/start m-x"
