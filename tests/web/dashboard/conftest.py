"""A minimal web app with only the dashboard router, wired as ``hocvuso.web.app`` wires it
(``app.state.settings``, ``app.state.sessionmaker``, ``app.state.clock``), and a world of
people in the tests' unit tree: A (A1, A2 (A2x)), B (B1)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from hocvuso.config import Settings
from hocvuso.organising import dashboard
from hocvuso.organising import permissions as perm
from hocvuso.storage.models import Learner
from hocvuso.storage.organising import Role, Unit
from hocvuso.web.dashboard import router
from tests.factories import Clock, add_learner, grant

BASE = "http://127.0.0.1:8000"


def make_app(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], clock: Clock
) -> FastAPI:
    app = FastAPI()
    app.state.settings = settings
    app.state.sessionmaker = sessions
    app.state.clock = clock
    app.include_router(router)
    return app


@dataclass
class World:
    sessions: async_sessionmaker[AsyncSession]
    clock: Clock
    units: dict[str, Unit]
    people: dict[str, Learner]
    app: FastAPI

    def id(self, who: str) -> int:
        found = self.people[who].id
        assert found is not None
        return found

    async def link(self, who: str) -> str:
        """A sign-in token as /dashboard in the chat issues it."""
        async with self.sessions() as session, session.begin():
            actor = await perm.load_actor(session, self.id(who))
            return await dashboard.do_issue_login_link(session, actor, self.clock.now)

    def client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=httpx.ASGITransport(app=self.app), base_url=BASE)

    @asynccontextmanager
    async def signed_in(self, who: str) -> AsyncIterator[httpx.AsyncClient]:
        """A browser signed in as ``who`` through their link."""
        token = await self.link(who)
        async with self.client() as client:
            answer = await client.post(f"/dashboard/login/{token}")
            assert answer.status_code == 303, answer.text
            yield client


@pytest.fixture
async def world(
    sessions: async_sessionmaker[AsyncSession],
    settings: Settings,
    clock: Clock,
    tree: dict[str, Unit],
) -> AsyncIterator[World]:
    joined = clock.now - timedelta(days=40)
    recent = clock.now - timedelta(days=3)
    people: dict[str, Learner] = {}
    spec = {
        # who: (name, unit, certified at level 1, active 2 days ago)
        "an": ("Phạm Văn An", "A", False, True),  # organiser of A
        "ha": ("Hoàng Thị Hà", "A2", False, True),  # organiser of A2
        "dat": ("Vũ Quốc Đạt", "B1", False, False),  # admin
        "mai": ("Lê Thị Mai", "A2", True, True),  # mentor in A2
        "xuan": ("Trần Văn Xuân", "A2x", True, True),
        "dung": ("Đỗ Văn Dũng", "A2x", False, False),
        "phuong": ("Ngô Thị Phương", "A1", True, False),
        "binh": ("Lý Văn Bình", "B1", True, True),
    }
    for who, (name, unit, certified, active) in spec.items():
        people[who] = await add_learner(
            sessions,
            unit=unit,
            name=name,
            created_at=joined,
            last_active_at=clock.now - timedelta(days=2) if active else joined,
            certified=[(1, recent)] if certified else [],
        )
    # In A2 but agreed only to older terms: counted, never named.
    people["old-terms"] = await add_learner(
        sessions, unit="A2", name="Cao Văn Cũ", created_at=joined, consent_version="2020-01-01"
    )
    await grant(sessions, people["an"], Role.ORGANISER, tree["A"])
    await grant(sessions, people["ha"], Role.ORGANISER, tree["A2"])
    await grant(sessions, people["dat"], Role.ADMIN, None)
    await grant(sessions, people["mai"], Role.MENTOR, tree["A2"])
    yield World(sessions, clock, tree, people, make_app(settings, sessions, clock))
