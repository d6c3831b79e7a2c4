"""Every organiser action writes its audit entry whichever front it came from: the chat and the
command line call the same audited use cases (``hocvuso.organising``), so a new front does too."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import yaml
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from hocvuso.chat.engine import Engine
from hocvuso.content.loader import Pack
from hocvuso.storage.organising import AuditEntry, Role, Unit
from tests.factories import add_learner, grant, talk
from tests.organising.cli import hocvuso, hocvuso_process

JOINED = datetime(2026, 10, 1, tzinfo=UTC)


async def _entries(sessions: async_sessionmaker[AsyncSession]) -> list[AuditEntry]:
    async with sessions() as session:
        return list((await session.exec(select(AuditEntry).order_by(col(AuditEntry.id)))).all())


async def test_every_organiser_action_in_the_chat_writes_its_audit_entry(
    engine: Engine, pack: Pack, sessions: async_sessionmaker[AsyncSession], tree: dict[str, Unit]
) -> None:
    organiser = await add_learner(sessions, unit="A2", name="Trần Tổ Chức", created_at=JOINED)
    await add_learner(sessions, unit="A2x", name="Lê Học", created_at=JOINED)
    await add_learner(
        sessions, unit="A2", name="Phạm Đạt", created_at=JOINED, certified=[(1, JOINED)]
    )
    await grant(sessions, organiser, Role.ORGANISER, tree["A2"])
    chat = talk(engine, pack, organiser)
    before = len(await _entries(sessions))

    await chat.send("/report")
    await chat.press("Tải báo cáo Excel")
    await chat.send("/broadcast")
    await chat.send("Ôn tập bài 3 trước thứ Hai")
    await chat.press("Gửi")
    await chat.press("Cập nhật tiến độ")
    await chat.send("/mentor_candidates")
    await chat.send("/assign_mentor")

    done = [(e.action, e.via, e.actor_id, e.unit_id) for e in (await _entries(sessions))[before:]]
    a2 = tree["A2"].id
    assert done == [
        ("report.view", "chat", organiser.id, a2),
        ("report.export", "chat", organiser.id, a2),
        ("broadcast.send", "chat", organiser.id, a2),
        ("broadcast.status", "chat", organiser.id, a2),
        ("mentor.candidates", "chat", organiser.id, a2),
        ("mentor.pairing_mentors", "chat", organiser.id, a2),
    ]


async def test_every_organiser_command_of_the_cli_writes_its_audit_entry(
    database_url: str,
    sessions: async_sessionmaker[AsyncSession],
    tree: dict[str, Unit],
    tmp_path: Path,
) -> None:
    await add_learner(sessions, unit="A2", name="Lê Học", created_at=JOINED)
    campaign = tmp_path / "campaign.yaml"
    campaign.write_text(
        yaml.safe_dump(
            {
                "slug": "on-tap",
                "name": "Ôn tập",
                "milestone": "2026-12-31",
                "messages": [{"at": "7 days before", "text": "Còn một tuần"}],
            },
            allow_unicode=True,
        ),
        encoding="utf-8",
    )
    commands = [
        ("report", "--unit", "A2", "--format", "csv"),
        ("units", "rotate-invite", "A2"),
        ("broadcast", "send", "--text", "Ôn tập", "--audience", "unit=A2", "--queue-only"),
        ("broadcast", "requeue", "1"),
        ("campaign", "create", str(campaign)),
        ("campaign", "pause", "on-tap"),
        ("campaign", "resume", "on-tap"),
        ("campaign", "cancel", "on-tap"),
    ]

    before = len(await _entries(sessions))  # the tree's import

    async def queued() -> bool:
        return any(e.action == "broadcast.send" for e in await _entries(sessions))

    for command in commands:
        if command[:2] == ("broadcast", "send"):  # it follows the sending until stopped
            code, output = await hocvuso_process(database_url, *command, stop_when=queued)
        elif command[0] == "broadcast":  # signal handlers: a process of its own
            code, output = await hocvuso_process(database_url, *command)
        else:
            result = await hocvuso(database_url, *command)
            code, output = result.exit_code, result.output
        assert code == 0, (command, output)

    done = [(e.action, e.via, e.actor_id) for e in (await _entries(sessions))[before:]]
    assert done == [
        ("report.export", "cli", None),
        ("units.rotate_invite", "cli", None),
        ("broadcast.send", "cli", None),
        ("broadcast.requeue", "cli", None),
        ("campaign.create", "cli", None),
        ("campaign.paused", "cli", None),
        ("campaign.active", "cli", None),
        ("campaign.cancelled", "cli", None),
    ]
