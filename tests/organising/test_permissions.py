"""The permission matrix: every role × every action, allowed ones work, forbidden ones are refused
with a clear message and change nothing; nothing leaks across units; the audit log.

The world (tests/organising/conftest.py tree: A(A1, A2(A2x)), B(B1)):

- the learner Xuân (A2x) is the mentee of the mentor Mai (A2, certified level 1);
- the organiser An holds A, the organiser Hà holds A2 (a sub-unit), the admin Đạt;
- Dũng (A2x) has no mentor and is certified (a suggested mentor; An invited him personally),
  Phương works in A1; Hà has no mentor either;
- in B, the mentor Bích guides Bảo (B1);
- Mai nudged Xuân four days ago; old broadcasts went to A2 and to B.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from hocvuso.chat.engine import Engine
from hocvuso.chat.events import Press
from hocvuso.chat.replies import Document
from hocvuso.content.loader import Pack
from hocvuso.delivery import broadcasts
from hocvuso.i18n import t
from hocvuso.organising import certificates, invites, mentoring, roles
from hocvuso.organising import permissions as perm
from hocvuso.organising.errors import StaffError
from hocvuso.storage.models import Certificate, Learner
from hocvuso.storage.organising import (
    AuditEntry,
    LearnerPreference,
    MentorCode,
    MentorLink,
    Nudge,
    Role,
    RoleGrant,
    RoleInvite,
    Unit,
)
from hocvuso.storage.scheduling import Broadcast, Delivery
from tests.factories import TERMS, Clock, Conversation, add_learner, grant, plain, talk

LEARNER, MENTOR, ORG_A, ORG_A2, ADMIN = "learner", "mentor", "organiser-A", "organiser-A2", "admin"
ROLES = (LEARNER, MENTOR, ORG_A, ORG_A2, ADMIN)
STAFF = frozenset({ORG_A, ORG_A2, ADMIN})
EVERYONE = frozenset(ROLES)
MAI_CODE = "mai-mentor-code-0001"  # Mai's invite link for mentees (/start m-<code>)
#: Who plays each role, and the other people of the world: (name, unit).
PEOPLE = {
    LEARNER: ("Trần Văn Xuân", "A2x"),
    MENTOR: ("Lê Thị Mai", "A2"),
    ORG_A: ("Phạm Văn An", "A"),
    ORG_A2: ("Hoàng Thị Hà", "A2"),
    ADMIN: ("Vũ Quốc Đạt", "A1"),
    "unlinked": ("Đỗ Văn Dũng", "A2x"),
    "a1": ("Ngô Thị Phương", "A1"),
    "b-mentor": ("Bùi Thị Bích", "B1"),
    "b-mentee": ("Đinh Văn Bảo", "B1"),
    "b": ("Lý Văn Bình", "B"),
}
A2_SUBTREE = 4  # Mai, Hà (A2), Xuân, Dũng (A2x): who a broadcast to A2 reaches
BROADCAST_TEXT = "Họp trực tuyến lúc 14 giờ"
NONCE = "pending1"
SNAPSHOT = (Broadcast, Delivery, RoleInvite, Nudge, MentorLink, MentorCode, AuditEntry)


@dataclass
class World:
    sessions: async_sessionmaker[AsyncSession]
    engine: Engine
    pack: Pack
    clock: Clock
    units: dict[str, Unit]
    people: dict[str, Learner]
    nudge_id: int = 0  # Mai nudged Xuân four days ago
    broadcast_a2: int = 0
    broadcast_b: int = 0
    personal_token: str = ""  # an organiser invited Dũng personally to become a mentor
    chats: dict[str, Conversation] = field(default_factory=dict)

    def id(self, who: str) -> int:
        found = self.people[who].id
        assert found is not None
        return found

    def chat(self, who: str) -> Conversation:
        if who not in self.chats:
            self.chats[who] = talk(self.engine, self.pack, self.people[who])
        return self.chats[who]

    async def press(self, who: str, data: str) -> str:
        """What the person sees after pressing a button with ``data``: the toast, the replies."""
        chat = self.chat(who)
        await chat.event(Press(data))
        return "\n".join(part for part in (chat.last.toast, chat.text) if part)

    @property
    def last_documents(self) -> list[Document]:
        """Files sent in answer to the last event of anyone."""
        return [r.document for c in self.chats.values() for r in c.last.replies if r.document]

    async def send(self, who: str, text: str) -> str:
        chat = self.chat(who)
        await chat.send(text)
        return chat.text

    async def domain(
        self, who: str, work: Callable[[AsyncSession, perm.Actor], Awaitable[Any]]
    ) -> str:
        """Call a domain function as ``who`` in one transaction: "ok" or the refusal."""
        try:
            async with self.sessions() as session, session.begin():
                await work(session, await perm.load_actor(session, self.id(who)))
        except StaffError as exc:
            return exc.message("vi")
        return "ok"

    async def learner(self, who: str) -> Learner:
        async with self.sessions() as session:
            found = await session.get(Learner, self.id(who))
            assert found is not None
            return found

    async def rows(self, model: type[SQLModel], *where: Any) -> list[Any]:
        async with self.sessions() as session:
            return list((await session.exec(select(model).where(*where))).all())

    async def new_invites(self) -> list[RoleInvite]:
        return await self.rows(RoleInvite, RoleInvite.created_at == self.clock.now)

    async def last_audit(self) -> AuditEntry:
        found = await self.rows(AuditEntry)
        assert found, "nothing was audited"
        return max(found, key=lambda e: e.id or 0)


async def snapshot(w: World) -> dict[str, Any]:
    """Everything a staff action could change (rows, grants, preferences, pending input)."""
    async with w.sessions() as session:
        counts = {
            m.__tablename__: (await session.exec(select(func.count()).select_from(m))).one()  # type: ignore[call-overload]
            for m in SNAPSHOT
        }
        active = await session.exec(
            select(RoleGrant.learner_id, RoleGrant.role, RoleGrant.unit_id).where(
                col(RoleGrant.revoked_at).is_(None)
            )
        )
        prefs = await session.exec(
            select(
                LearnerPreference.learner_id,
                LearnerPreference.nudges_muted,
                LearnerPreference.leaderboard_opt_in,
            )
        )
        invited = await session.exec(select(RoleInvite.id, RoleInvite.used_by))
        learners = await session.exec(select(Learner).order_by(col(Learner.id)))
        return {
            "counts": counts,
            "grants": sorted(active.all()),
            "preferences": sorted(prefs.all()),
            "invites used": sorted(invited.all()),
            "pending": {x.id: (x.state or {}).get("staff") for x in learners.all()},
        }


@pytest.fixture
async def world(
    sessions: async_sessionmaker[AsyncSession],
    engine: Engine,
    pack: Pack,
    clock: Clock,
    tree: dict[str, Unit],
) -> World:
    joined = clock.now - timedelta(days=30)
    people = {}
    for who, (name, unit) in PEOPLE.items():
        certified = [(1, joined)] if who in {MENTOR, "b-mentor", "unlinked"} else []
        people[who] = await add_learner(
            sessions,
            unit=unit,
            name=name,
            created_at=joined,
            last_active_at=clock.now - timedelta(days=1),
            certified=certified,
        )
    w = World(sessions, engine, pack, clock, tree, people)
    await grant(sessions, people[MENTOR], Role.MENTOR, tree["A2"])
    await grant(sessions, people["b-mentor"], Role.MENTOR, tree["B"])
    await grant(sessions, people[ORG_A], Role.ORGANISER, tree["A"])
    await grant(sessions, people[ORG_A2], Role.ORGANISER, tree["A2"])
    await grant(sessions, people[ADMIN], Role.ADMIN, None)
    async with sessions() as session, session.begin():
        session.add(MentorLink(mentor_id=w.id(MENTOR), mentee_id=w.id(LEARNER), created_at=joined))
        session.add(
            MentorLink(mentor_id=w.id("b-mentor"), mentee_id=w.id("b-mentee"), created_at=joined)
        )
        nudge = Nudge(
            mentor_id=w.id(MENTOR), mentee_id=w.id(LEARNER), sent_at=clock.now - timedelta(days=4)
        )
        session.add(nudge)
        await session.flush()
        assert nudge.id is not None
        w.nudge_id = nudge.id
        connection = await session.connection()
        for code in ("A2", "B"):
            created = await broadcasts.announce_on(
                connection, "Thông báo cũ", {"trees": [code]}, consent=TERMS, language="vi"
            )
            setattr(w, f"broadcast_{code.lower()}", created.broadcast_id)
        personal = RoleInvite(
            token="personal-invite-token-0001",
            role=Role.MENTOR,
            unit_id=tree["A2x"].id,
            created_by=people[ORG_A].id,
            invitee_id=people["unlinked"].id,
            created_at=clock.now - timedelta(hours=1),
            expires_at=clock.now + timedelta(hours=71),
        )
        session.add(personal)
        w.personal_token = personal.token
        session.add(MentorCode(mentor_id=people[MENTOR].id, code=MAI_CODE, created_at=clock.now))
    return w


def refusal(key: str, **variables: Any) -> str:
    return plain(t("vi", key, **variables))


# --- the actions: how each is tried, and what "it worked" means -----------------------------------
Run = Callable[[World, str], Awaitable[str]]
Works = Callable[[World, str, dict[str, Any], str], Awaitable[None]]


@dataclass(frozen=True)
class Case:
    allowed: frozenset[str]
    refusal: str  # the message key of the refusal
    run: Run
    works: Works


async def works_report(w: World, who: str, before: dict[str, Any], answer: str) -> None:
    assert "Báo cáo: Phòng A2" in answer
    entry = await w.last_audit()
    assert (entry.actor_id, entry.action, entry.unit_id) == (
        w.id(who),
        "report.view",
        w.units["A2"].id,
    )


async def works_report_file(w: World, who: str, before: dict[str, Any], answer: str) -> None:
    (document,) = w.last_documents
    assert document.filename.startswith("bao-cao-A2-") and document.filename.endswith(".xlsx")
    entry = await w.last_audit()
    assert (entry.actor_id, entry.action, entry.unit_id, entry.details) == (
        w.id(who),
        "report.export",
        w.units["A2"].id,
        {"format": "xlsx"},
    )


async def works_compose(w: World, who: str, before: dict[str, Any], answer: str) -> None:
    assert "gửi tới học viên của Phòng A2" in answer
    pending = (await w.learner(who)).state["staff"]
    assert (pending["mode"], pending["unit"]) == ("compose", w.units["A2"].id)
    assert (await snapshot(w))["counts"] == before["counts"]  # nothing is sent before the preview


async def works_mentees(w: World, who: str, before: dict[str, Any], answer: str) -> None:
    assert "Học viên của anh/chị (1)" in answer
    assert "Trần Văn Xuân" in answer


async def works_mentor_invite_command(
    w: World, who: str, before: dict[str, Any], answer: str
) -> None:
    (invite,) = await w.new_invites()
    assert (invite.role, invite.unit_id, invite.created_by) == (
        Role.MENTOR,
        w.units["A2"].id,
        w.id(who),
    )
    assert f"/start r-{invite.token}" in answer
    assert (await w.last_audit()).action == "role.invite"


async def works_mentor_link(w: World, who: str, before: dict[str, Any], answer: str) -> None:
    (code,) = await w.rows(MentorCode, MentorCode.mentor_id == w.id(who))
    assert f"/start m-{code.code}" in answer


async def works_leaderboard(w: World, who: str, before: dict[str, Any], answer: str) -> None:
    assert "Bảng thi đua" in answer


async def pending_broadcast(w: World, who: str) -> None:
    """A broadcast to A2 composed and previewed, waiting for "Gửi" (as the compose flow leaves it;
    for those without the right: their role was revoked after they composed it)."""
    async with w.sessions() as session, session.begin():
        learner = await session.get(Learner, w.id(who))
        assert learner is not None
        pending = {"mode": "compose", "unit": w.units["A2"].id, "nonce": NONCE}
        learner.state = {**learner.state, "staff": pending | {"text": BROADCAST_TEXT}}
        session.add(learner)


async def run_send_broadcast(w: World, who: str) -> str:
    return await w.press(who, f"bc:{NONCE}:send")


async def works_send_broadcast(w: World, who: str, before: dict[str, Any], answer: str) -> None:
    assert f"Thông báo đang được gửi tới {A2_SUBTREE} học viên" in answer
    (sent,) = await w.rows(Broadcast, col(Broadcast.text) == BROADCAST_TEXT)
    deliveries = await w.rows(Delivery, Delivery.broadcast_id == sent.id)
    reached = {d.learner_id for d in deliveries}
    assert reached == {w.id(p) for p in (MENTOR, ORG_A2, LEARNER, "unlinked")}
    entry = await w.last_audit()
    assert (entry.actor_id, entry.action, entry.unit_id) == (
        w.id(who),
        "broadcast.send",
        w.units["A2"].id,
    )


async def works_status(w: World, who: str, before: dict[str, Any], answer: str) -> None:
    assert f"Đã gửi 0/{A2_SUBTREE}" in answer


async def works_nudge_choice(w: World, who: str, before: dict[str, Any], answer: str) -> None:
    assert "Anh/chị muốn nhắc Trần Văn Xuân thế nào?" in answer


async def works_nudge_send(w: World, who: str, before: dict[str, Any], answer: str) -> None:
    assert "Đã gửi lời nhắc tới Trần Văn Xuân" in answer
    sent = await w.rows(Nudge, Nudge.sent_at == w.clock.now)
    assert [(n.mentor_id, n.mentee_id) for n in sent] == [(w.id(MENTOR), w.id(LEARNER))]
    (delivery,) = await w.rows(Delivery, Delivery.key == f"nudge:{sent[0].id}")
    assert delivery.learner_id == w.id(LEARNER)


async def works_nudge_custom(w: World, who: str, before: dict[str, Any], answer: str) -> None:
    assert "Anh/chị gõ lời nhắc gửi Trần Văn Xuân" in answer
    assert (await w.learner(who)).state["staff"] == {"mode": "nudge", "mentee": w.id(LEARNER)}


async def works_reply(w: World, who: str, before: dict[str, Any], answer: str) -> None:
    assert "Anh/chị gõ câu trả lời gửi người hướng dẫn" in answer
    assert (await w.learner(who)).state["staff"] == {"mode": "reply", "nudge": w.nudge_id}


async def works_new_code(w: World, who: str, before: dict[str, Any], answer: str) -> None:
    assert "đường dẫn cũ không còn dùng được" in answer
    (code,) = await w.rows(MentorCode, MentorCode.mentor_id == w.id(MENTOR))
    assert code.code != MAI_CODE


async def works_take_mentor(w: World, who: str, before: dict[str, Any], answer: str) -> None:
    assert "Anh/chị đã được kết nối với người hướng dẫn Lê Thị Mai" in answer
    assert await w.rows(
        MentorLink, MentorLink.mentor_id == w.id(MENTOR), MentorLink.mentee_id == w.id(who)
    )


async def works_decline_mentor(w: World, who: str, before: dict[str, Any], answer: str) -> None:
    assert "Anh/chị đã từ chối" in answer
    assert await snapshot(w) == before


async def works_leave(w: World, who: str, before: dict[str, Any], answer: str) -> None:
    assert "Anh/chị đã thôi nhận Lê Thị Mai làm người hướng dẫn" in answer
    assert not await w.rows(MentorLink, MentorLink.mentee_id == w.id(who))
    (told,) = await w.rows(Delivery, col(Delivery.key).startswith(f"mentee-left:{w.id(who)}:"))
    assert told.learner_id == w.id(MENTOR)


async def works_mute(w: World, who: str, before: dict[str, Any], answer: str) -> None:
    assert "Đã tắt lời nhắc từ người hướng dẫn" in answer
    (pref,) = await w.rows(LearnerPreference, LearnerPreference.learner_id == w.id(who))
    assert pref.nudges_muted


async def works_show_name(w: World, who: str, before: dict[str, Any], answer: str) -> None:
    assert "Bảng thi đua" in answer
    (pref,) = await w.rows(LearnerPreference, LearnerPreference.learner_id == w.id(who))
    assert pref.leaderboard_opt_in


async def works_candidates(w: World, who: str, before: dict[str, Any], answer: str) -> None:
    assert "Gợi ý người hướng dẫn (1)" in answer and "Đỗ Văn Dũng" in answer
    assert "Mời Đỗ Văn Dũng" in " ".join(b.label for b in w.chat(who).buttons())


async def works_invite_candidate(w: World, who: str, before: dict[str, Any], answer: str) -> None:
    # An's personal invitation to Dũng is still open: it is reused, nothing is sent twice (the
    # first invitation is tests/organising/test_candidates.py's).
    assert "Đỗ Văn Dũng đã được mời, lời mời còn hiệu lực đến" in answer
    assert await w.new_invites() == []
    assert await w.rows(Delivery, col(Delivery.key).startswith(f"mentor-invite:{w.id(who)}:")) == []


async def works_assign(w: World, who: str, before: dict[str, Any], answer: str) -> None:
    assert "Chọn người hướng dẫn để giao thêm học viên" in answer
    labels = [b.label for b in w.chat(who).buttons()]
    assert "Lê Thị Mai (1 học viên)" in labels
    assert not any("Bùi Thị Bích" in label for label in labels)  # B's mentor


async def works_pair_choice(w: World, who: str, before: dict[str, Any], answer: str) -> None:
    assert "Chọn đồng nghiệp chưa có người hướng dẫn để giao cho Lê Thị Mai" in answer
    assert "Hoàng Thị Hà" in answer  # in A2, no mentor, not certified
    assert "Trần Văn Xuân" not in answer  # Mai's mentee already


async def works_pair(w: World, who: str, before: dict[str, Any], answer: str) -> None:
    assert "Đã giao Hoàng Thị Hà cho người hướng dẫn Lê Thị Mai" in answer
    linked = await w.rows(MentorLink, MentorLink.mentee_id == w.id(ORG_A2))
    assert [(x.mentor_id, x.created_by) for x in linked] == [(w.id(MENTOR), w.id(who))]
    told = await w.rows(Delivery, col(Delivery.key).startswith("paired:"))
    assert {d.learner_id for d in told} == {w.id(MENTOR), w.id(ORG_A2)}


async def works_nobody(w: World, who: str, before: dict[str, Any], answer: str) -> None:
    raise AssertionError("nobody of the matrix may do this")


async def run_grant(w: World, who: str) -> str:
    return await w.domain(
        who,
        lambda s, actor: roles.do_grant(
            s, actor, w.id("unlinked"), Role.ORGANISER, w.units["B"], w.clock.now
        ),
    )


async def works_grant(w: World, who: str, before: dict[str, Any], answer: str) -> None:
    granted = await w.rows(RoleGrant, RoleGrant.learner_id == w.id("unlinked"))
    assert [(g.role, g.unit_id, g.granted_by) for g in granted] == [
        (Role.ORGANISER, w.units["B"].id, w.id(who))
    ]
    assert (await w.last_audit()).action == "role.grant"


async def run_revoke(w: World, who: str) -> str:
    return await w.domain(
        who,
        lambda s, actor: roles.do_revoke(
            s, actor, w.id("b-mentor"), Role.MENTOR, None, w.clock.now
        ),
    )


async def works_revoke(w: World, who: str, before: dict[str, Any], answer: str) -> None:
    (revoked,) = await w.rows(RoleGrant, RoleGrant.learner_id == w.id("b-mentor"))
    assert revoked.revoked_at == w.clock.now
    assert (await w.last_audit()).action == "role.revoke"


def run_invite(role: Role, unit: str | None) -> Run:
    async def run(w: World, who: str) -> str:
        scope = w.units[unit] if unit else None
        return await w.domain(
            who, lambda s, actor: invites.create_role_invite(s, actor, role, scope, w.clock.now)
        )

    return run


def works_invite(role: Role, unit: str | None) -> Works:
    async def works(w: World, who: str, before: dict[str, Any], answer: str) -> None:
        (invite,) = await w.new_invites()
        scope = w.units[unit].id if unit else None
        assert (invite.role, invite.unit_id, invite.created_by) == (role, scope, w.id(who))
        entry = await w.last_audit()
        assert (entry.action, entry.actor_id, entry.unit_id) == ("role.invite", w.id(who), scope)

    return works


async def run_audit(w: World, who: str) -> str:
    return await w.domain(who, lambda s, actor: perm.access_audit_log(s, actor))


async def works_audit(w: World, who: str, before: dict[str, Any], answer: str) -> None:
    assert answer == "ok"


async def run_revoke_certificate(w: World, who: str) -> str:
    (mine,) = await w.rows(Certificate, Certificate.learner_id == w.id(MENTOR))
    return await w.domain(
        who,
        lambda s, actor: certificates.do_revoke_certificate(
            s, actor, mine.id, "cấp nhầm", w.clock.now
        ),
    )


async def works_revoke_certificate(w: World, who: str, before: dict[str, Any], answer: str) -> None:
    (mine,) = await w.rows(Certificate, Certificate.learner_id == w.id(MENTOR))
    assert (mine.revoked_at, mine.revoked_reason) == (w.clock.now, "cấp nhầm")
    assert (await w.last_audit()).action == "certificate.revoke"


async def run_link(w: World, who: str) -> str:
    return await w.domain(
        who,
        lambda s, actor: mentoring.do_link_by_organiser(
            s, actor, w.id(MENTOR), w.id("unlinked"), w.clock.now
        ),
    )


async def works_link(w: World, who: str, before: dict[str, Any], answer: str) -> None:
    linked = await w.rows(MentorLink, MentorLink.mentee_id == w.id("unlinked"))
    assert [(x.mentor_id, x.created_by) for x in linked] == [(w.id(MENTOR), w.id(who))]
    assert (await w.last_audit()).action == "mentor.link"


def command(text: str) -> Run:
    async def run(w: World, who: str) -> str:
        return await w.send(who, text)

    return run


def button(data: Callable[[World], str]) -> Run:
    async def run(w: World, who: str) -> str:
        return await w.press(who, data(w))

    return run


#: The matrix. Who may do what is written out here, independently of permissions.ALLOWED.
CASES: dict[str, Case] = {
    "/report A2": Case(STAFF, "forbidden-report", command("/report A2"), works_report),
    "/broadcast A2": Case(STAFF, "forbidden-broadcast", command("/broadcast A2"), works_compose),
    "rx (A2's report as an Excel file)": Case(
        STAFF,
        "forbidden-report",
        button(lambda w: f"rx::{w.units['A2'].id}"),
        works_report_file,
    ),
    "/mentees": Case(frozenset({MENTOR}), "forbidden-mentees", command("/mentees"), works_mentees),
    "/invite_mentor A2": Case(
        STAFF,
        "forbidden-invite-mentor",
        command("/invite_mentor A2"),
        works_mentor_invite_command,
    ),
    "/mentor_link": Case(
        frozenset({MENTOR}), "forbidden-mentees", command("/mentor_link"), works_mentor_link
    ),
    "/leaderboard": Case(EVERYONE, "", command("/leaderboard"), works_leaderboard),
    "/assign_mentor A2": Case(
        STAFF, "forbidden-link-mentee", command("/assign_mentor A2"), works_assign
    ),
    "pm (choose Mai to give a mentee to)": Case(
        STAFF,
        "forbidden-link-mentee",
        button(lambda w: f"pm::{w.id(MENTOR)}"),
        works_pair_choice,
    ),
    "pa (give Hà to Mai)": Case(
        STAFF,
        "forbidden-link-mentee",
        button(lambda w: f"pa::{w.id(MENTOR)}.{w.id(ORG_A2)}"),
        works_pair,
    ),
    "/mentor_candidates A2": Case(
        STAFF,
        "forbidden-invite-mentor",
        command("/mentor_candidates A2"),
        works_candidates,
    ),
    "mi (invite Dũng to become a mentor)": Case(
        STAFF,
        "forbidden-invite-mentor",
        button(lambda w: f"mi::{w.id('unlinked')}"),
        works_invite_candidate,
    ),
    "ra (accept the invitation made for Dũng)": Case(
        frozenset(), "invite-invalid", button(lambda w: f"ra::{w.personal_token}"), works_nobody
    ),
    "bc (send a broadcast to A2)": Case(
        STAFF, "forbidden-broadcast", run_send_broadcast, works_send_broadcast
    ),
    "bs (progress of A2's broadcast)": Case(
        STAFF, "forbidden-broadcast", button(lambda w: f"bs::{w.broadcast_a2}"), works_status
    ),
    "nd (nudge Xuân)": Case(
        frozenset({MENTOR}),
        "forbidden-nudge",
        button(lambda w: f"nd::{w.id(LEARNER)}"),
        works_nudge_choice,
    ),
    "ns (send the templated nudge)": Case(
        frozenset({MENTOR}),
        "forbidden-nudge",
        button(lambda w: f"ns::{w.id(LEARNER)}"),
        works_nudge_send,
    ),
    "nc (write a custom nudge)": Case(
        frozenset({MENTOR}),
        "forbidden-nudge",
        button(lambda w: f"nc::{w.id(LEARNER)}"),
        works_nudge_custom,
    ),
    "mr (answer Mai's nudge to Xuân)": Case(
        frozenset({LEARNER}), "forbidden-reply", button(lambda w: f"mr::{w.nudge_id}"), works_reply
    ),
    "mu (mute nudges)": Case(EVERYONE, "", button(lambda w: "mu::1"), works_mute),
    "mc (a new mentor link for Mai)": Case(
        frozenset({MENTOR}), "forbidden-mentees", button(lambda w: "mc::"), works_new_code
    ),
    "ly (take Mai as mentor)": Case(
        EVERYONE - {MENTOR}, "mentor-self", button(lambda w: f"ly::{MAI_CODE}"), works_take_mentor
    ),
    "ln (decline Mai as mentor)": Case(
        EVERYONE, "", button(lambda w: f"ln::{MAI_CODE}"), works_decline_mentor
    ),
    "ml (leave Mai)": Case(
        frozenset({LEARNER}),
        "mentor-not-linked",
        button(lambda w: f"ml::{w.id(MENTOR)}"),
        works_leave,
    ),
    "lb (show my name)": Case(EVERYONE, "", button(lambda w: "lb::1"), works_show_name),
    "GRANT organiser of B": Case(frozenset({ADMIN}), "forbidden-grant", run_grant, works_grant),
    "GRANT: revoke Bích's mentor role": Case(
        frozenset({ADMIN}), "forbidden-grant", run_revoke, works_revoke
    ),
    "GRANT: invite an organiser of A2": Case(
        frozenset({ADMIN}),
        "forbidden-grant",
        run_invite(Role.ORGANISER, "A2"),
        works_invite(Role.ORGANISER, "A2"),
    ),
    "GRANT: invite an admin": Case(
        frozenset({ADMIN}),
        "forbidden-grant",
        run_invite(Role.ADMIN, None),
        works_invite(Role.ADMIN, None),
    ),
    "AUDIT": Case(frozenset({ADMIN}), "forbidden-audit", run_audit, works_audit),
    "REVOKE_CERTIFICATE of Mai": Case(
        frozenset({ADMIN}),
        "forbidden-revoke-certificate",
        run_revoke_certificate,
        works_revoke_certificate,
    ),
    "LINK_MENTEE Mai + Dũng": Case(STAFF, "forbidden-link-mentee", run_link, works_link),
    "INVITE_MENTOR in A2": Case(
        STAFF,
        "forbidden-invite-mentor",
        run_invite(Role.MENTOR, "A2"),
        works_invite(Role.MENTOR, "A2"),
    ),
}
SETUP: dict[str, Callable[[World, str], Awaitable[None]]] = {
    "bc (send a broadcast to A2)": pending_broadcast
}
BUTTONS = {name for name in CASES if name[2:3] == " " and name[:2] not in {"mu", "lb"}}


def test_the_matrix_covers_every_staff_command_button_and_domain_action() -> None:
    from hocvuso.chat import routing
    from hocvuso.delivery import payloads as actions

    commands = {name.split()[0].lstrip("/") for name in CASES if name.startswith("/")}
    pressed = {name.split()[0] for name in CASES if name[2:3] == " "}
    domain = {name.split()[0].rstrip(":") for name in CASES if name[:1].isupper()}
    assert commands == set(routing.STAFF_COMMANDS)
    assert pressed == actions.STAFF
    assert domain == {"GRANT", "AUDIT", "LINK_MENTEE", "INVITE_MENTOR", "REVOKE_CERTIFICATE"}
    # Every role-restricted action of the domain is in the matrix with the same roles.
    assert set(perm.ALLOWED) == {perm.Action(a.lower()) for a in domain} | {
        perm.Action.REPORT,
        perm.Action.BROADCAST,
        perm.Action.MENTEES,
        perm.Action.NUDGE,
    }


@pytest.mark.parametrize("action", list(CASES))
@pytest.mark.parametrize("role", ROLES)
async def test_every_role_and_action_works_if_allowed_and_is_refused_clearly_otherwise(
    world: World, role: str, action: str
) -> None:
    case = CASES[action]
    if action in SETUP:
        await SETUP[action](world, role)
    before = await snapshot(world)

    answer = await case.run(world, role)

    if role in case.allowed:
        assert "Xin lỗi" not in answer and "không có quyền" not in answer, answer
        await case.works(world, role, before, answer)
    else:
        assert answer == refusal(case.refusal)
        assert await snapshot(world) == before
        if action in BUTTONS:  # a refused press is an alert the person has to dismiss
            assert world.chat(role).last.alert


async def test_refusals_are_clear_vietnamese_sentences() -> None:
    keys = {case.refusal for case in CASES.values() if case.refusal} | {
        "forbidden-unit",
        "forbidden-learner",
        "forbidden-mentee",
    }
    for key in keys:
        text = refusal(key, code="A1")
        assert text != key and text.endswith("."), key
        assert any(word in text for word in ("Xin lỗi", "dành cho", "không", "Không")), text


# --- nothing leaks across units -------------------------------------------------------------------
@pytest.mark.parametrize("command", ["/report", "/broadcast", "/invite_mentor"])
async def test_another_units_code_is_refused_exactly_like_a_code_that_does_not_exist(
    world: World, command: str
) -> None:
    before = await snapshot(world)
    for code in ("B", "B1", "KHONG-CO"):
        answer = await world.send(ORG_A, f"{command} {code}")
        assert answer == refusal("forbidden-unit", code=code)
    assert await snapshot(world) == before


async def test_the_report_of_a_shows_its_sub_units_and_never_those_of_b(world: World) -> None:
    answer = await world.send(ORG_A, "/report")

    assert "Báo cáo: Đơn vị A" in answer
    assert "(A1)" in answer and "(A2)" in answer
    for leak in ("(B)", "(B1)", "Đơn vị B", "Phòng B1", *(n for n, _ in PEOPLE.values())):
        assert leak not in answer
    # The total counts A's subtree only: An, Đạt, Phương, Mai, Hà, Xuân, Dũng.
    assert answer.split("Tổng cộng")[1].split("\n")[1].startswith("Tham gia: 7 ")


@pytest.mark.parametrize(
    "command", ["/report A", "/report A1", "/broadcast A", "/broadcast A1", "/invite_mentor A1"]
)
async def test_an_organiser_of_a_sub_unit_cannot_reach_its_parent_or_siblings(
    world: World, command: str
) -> None:
    before = await snapshot(world)

    answer = await world.send(ORG_A2, command)

    assert answer == refusal("forbidden-unit", code=command.split()[1])
    assert await snapshot(world) == before


async def test_an_organiser_of_a_sub_unit_cannot_link_invite_or_see_progress_outside_it(
    world: World,
) -> None:
    linked = await world.domain(
        ORG_A2,
        lambda s, actor: mentoring.do_link_by_organiser(
            s, actor, world.id(MENTOR), world.id("a1"), world.clock.now
        ),
    )
    invited = await world.domain(
        ORG_A2,
        lambda s, actor: invites.create_role_invite(
            s, actor, Role.MENTOR, world.units["A1"], world.clock.now
        ),
    )
    async with world.sessions() as session, session.begin():
        connection = await session.connection()
        created = await broadcasts.announce_on(connection, "Cho A", {"trees": ["A"]}, consent=TERMS)
    before = await snapshot(world)
    status = await world.press(ORG_A2, f"bs::{created.broadcast_id}")
    suggested = await world.press(ORG_A2, f"mi::{world.id('a1')}")
    forged = await world.press(ORG_A2, "mi::987654")
    paired = await world.press(ORG_A2, f"pa::{world.id(MENTOR)}.{world.id('a1')}")
    other_mentor = await world.press(ORG_A2, f"pm::{world.id('b-mentor')}")

    assert linked == suggested == forged == refusal("forbidden-learner")
    assert paired == other_mentor == refusal("forbidden-learner")
    assert invited == refusal("forbidden-unit", code="A1")
    assert "Đã gửi" not in status
    assert await snapshot(world) == before
    assert await world.rows(MentorLink, MentorLink.mentee_id == world.id("a1")) == []
    assert await world.new_invites() == []


async def test_pairing_lists_only_colleagues_inside_the_organisers_subtree(world: World) -> None:
    below = await world.press(ORG_A2, f"pm::{world.id(MENTOR)}")
    above = await world.press(ORG_A, f"pm::{world.id(MENTOR)}")

    assert "Hoàng Thị Hà" in below and "Hoàng Thị Hà" in above
    for outside in ("Ngô Thị Phương", "Phạm Văn An", "Vũ Quốc Đạt", "Lý Văn Bình", "Đinh Văn Bảo"):
        assert outside not in below
    assert "Ngô Thị Phương" in above and "Lý Văn Bình" not in above


async def test_an_organiser_of_a_links_and_reaches_everyone_below_it(world: World) -> None:
    linked = await world.domain(
        ORG_A,
        lambda s, actor: mentoring.do_link_by_organiser(
            s, actor, world.id(MENTOR), world.id("a1"), world.clock.now
        ),
    )
    refused = await world.domain(
        ORG_A,
        lambda s, actor: mentoring.do_link_by_organiser(
            s, actor, world.id("b-mentor"), world.id("b"), world.clock.now
        ),
    )

    assert linked == "ok"
    assert refused == refusal("forbidden-learner")
    assert "Báo cáo: Tổ A2x" in await world.send(ORG_A, "/report A2x")


async def test_a_broadcast_reaches_only_the_chosen_subtree(world: World) -> None:
    await world.send(ORG_A, "/broadcast A1")
    await world.send(ORG_A, "Lịch học tuần này")
    assert "gửi tới 2 học viên của Phòng A1" in world.chat(ORG_A).text

    await world.chat(ORG_A).press("Gửi")

    (sent,) = await world.rows(Broadcast, col(Broadcast.text) == "Lịch học tuần này")
    deliveries = await world.rows(Delivery, Delivery.broadcast_id == sent.id)
    assert {d.learner_id for d in deliveries} == {world.id(ADMIN), world.id("a1")}


async def test_a_broadcast_composed_before_the_role_was_revoked_is_not_sent(world: World) -> None:
    await world.send(ORG_A2, "/broadcast")
    await world.send(ORG_A2, BROADCAST_TEXT)
    async with world.sessions() as session, session.begin():
        await roles.do_revoke(
            session, perm.CLI, world.id(ORG_A2), Role.ORGANISER, None, world.clock.now
        )
    before = await snapshot(world)

    await world.chat(ORG_A2).press("Gửi")

    assert world.chat(ORG_A2).last.toast == refusal("forbidden-broadcast")
    assert await snapshot(world) == before
    assert await world.rows(Broadcast, col(Broadcast.text) == BROADCAST_TEXT) == []


async def test_mentees_lists_only_ones_own_mentees_and_never_their_answers(world: World) -> None:
    xuan = world.chat(LEARNER)
    await xuan.send("/learn")
    await xuan.press("Làm câu hỏi")
    shown = []
    for correct in (False, True, True):
        shown.append(world.pack.questions[xuan.current_question_id()].question)
        await xuan.answer(correct=correct)

    answer = await world.send(MENTOR, "/mentees")

    assert "Học viên của anh/chị (1)" in answer
    assert "Trần Văn Xuân" in answer and "hoạt động lần cuối: 23/11/2026" in answer
    for other in ("Đỗ Văn Dũng", "Đinh Văn Bảo", "Ngô Thị Phương", "Lý Văn Bình"):
        assert other not in answer
    for question in shown:
        assert question.text not in answer
        for option in question.options:
            assert option not in answer
    assert "Nhắc nhở Trần Văn Xuân" in " ".join(b.label for b in world.chat(MENTOR).buttons())


@pytest.mark.parametrize("mentee", ["unlinked", "b-mentee", "a1", "forged"])
@pytest.mark.parametrize("prefix", ["nd", "ns", "nc"])
async def test_a_nudge_button_for_someone_elses_mentee_or_a_forged_id_is_refused(
    world: World, mentee: str, prefix: str
) -> None:
    target = 987_654 if mentee == "forged" else world.id(mentee)
    before = await snapshot(world)

    answer = await world.press(MENTOR, f"{prefix}::{target}")

    assert answer == refusal("forbidden-mentee")
    assert await snapshot(world) == before


async def test_another_mentor_cannot_nudge_my_mentee(world: World) -> None:
    before = await snapshot(world)

    answer = await world.press("b-mentor", f"ns::{world.id(LEARNER)}")

    assert answer == refusal("forbidden-mentee")
    assert await snapshot(world) == before


async def test_the_progress_of_another_units_broadcast_is_refused_like_an_unknown_one(
    world: World,
) -> None:
    before = await snapshot(world)

    other = await world.press(ORG_A, f"bs::{world.broadcast_b}")
    unknown = await world.press(ORG_A, "bs::987654")

    assert other == unknown == refusal("forbidden-broadcast")
    assert await snapshot(world) == before


async def test_the_progress_of_another_units_broadcast_shows_no_figures(world: World) -> None:
    before = await snapshot(world)

    answer = await world.press(ORG_A, f"bs::{world.broadcast_b}")

    assert "Đã gửi" not in answer and world.chat(ORG_A).last.alert
    assert await snapshot(world) == before


# --- the audit log --------------------------------------------------------------------------------
async def test_each_organiser_and_admin_action_is_audited_without_names_or_texts(
    world: World,
) -> None:
    secret = "Nội dung riêng của thông báo"
    await world.send(ORG_A, "/report A2")
    await world.send(ORG_A, "/broadcast A1")
    await world.send(ORG_A, secret)
    await world.chat(ORG_A).press("Gửi")
    await world.send(ORG_A2, "/invite_mentor")
    steps: list[Callable[[AsyncSession, perm.Actor], Awaitable[Any]]] = [
        lambda s, a: roles.do_grant(
            s, a, world.id("unlinked"), Role.ORGANISER, world.units["B"], world.clock.now
        ),
        lambda s, a: roles.do_revoke(
            s, a, world.id("unlinked"), Role.ORGANISER, world.units["B"], world.clock.now
        ),
        lambda s, a: invites.create_role_invite(
            s, a, Role.ORGANISER, world.units["B1"], world.clock.now
        ),
    ]
    for step in steps:
        assert await world.domain(ADMIN, step) == "ok"

    entries = sorted(await world.rows(AuditEntry, AuditEntry.at == world.clock.now), key=_id)

    u = {code: unit.id for code, unit in world.units.items()}
    assert [(e.actor_id, e.via, e.action, e.unit_id) for e in entries] == [
        (world.id(ORG_A), "chat", "report.view", u["A2"]),
        (world.id(ORG_A), "chat", "broadcast.send", u["A1"]),
        (world.id(ORG_A2), "chat", "role.invite", u["A2"]),
        (world.id(ADMIN), "chat", "role.grant", u["B"]),
        (world.id(ADMIN), "chat", "role.revoke", u["B"]),
        (world.id(ADMIN), "chat", "role.invite", u["B1"]),
    ]
    details = json.dumps([e.details for e in entries], ensure_ascii=False)
    for name in [secret, *(n for n, _ in PEOPLE.values()), *(x.name for x in world.units.values())]:
        assert name not in details
    (invite,) = await world.rows(RoleInvite, RoleInvite.unit_id == u["B1"])
    assert invite.token not in details  # the audit log is no way to use someone's invitation


async def test_linking_a_mentee_is_audited_with_the_units_scope(world: World) -> None:
    await world.domain(
        ORG_A2,
        lambda s, actor: mentoring.do_link_by_organiser(
            s, actor, world.id(MENTOR), world.id("unlinked"), world.clock.now
        ),
    )

    entry = await world.last_audit()

    assert (entry.action, entry.actor_id) == ("mentor.link", world.id(ORG_A2))
    assert entry.unit_id in {world.units["A2"].id, world.units["A2x"].id}


async def test_refused_attempts_write_nothing_to_the_audit_log(world: World) -> None:
    await world.send(LEARNER, "/report")
    await world.send(ORG_A, "/report B")
    await world.send(ORG_A2, "/invite_mentor A1")

    assert await world.rows(AuditEntry, AuditEntry.at == world.clock.now) == []


def _id(entry: AuditEntry) -> int:
    return entry.id or 0
