"""Retention: answers recorded through the study loop (``records.record_answer``); before each
review the test reads the card the live system holds and asks FSRS for its retrievability. The
report, which replays the attempts log instead, must find exactly those predictions and the
recall measured on the same reviews, per level, area and bin."""

from __future__ import annotations

import csv
import io
import itertools
import math
import random
from datetime import UTC, datetime, timedelta

import pytest
from fsrs import Card, Scheduler, State
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from hocvuso.content.loader import Pack
from hocvuso.learning import records
from hocvuso.organising import retention as ret
from hocvuso.organising.errors import Forbidden
from hocvuso.organising.permissions import CLI, load_actor
from hocvuso.storage.models import ReviewCard
from hocvuso.storage.organising import AuditEntry, Role, Unit
from tests.factories import add_learner, grant
from tests.organising.cli import hocvuso

T0 = datetime(2026, 9, 1, 1, 0, tzinfo=UTC)
NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
NONCES = itertools.count(1)
FSRS = Scheduler()  # retrievability depends on the card and FSRS's decay only
#: (level, area, bin) → predicted recalls and recalls measured
Seen = dict[tuple[int, str, int], list[tuple[float, bool]]]


def predicted(card: ReviewCard, at: datetime) -> float:
    fsrs_card = Card(
        card_id=0,
        state=State(card.state),
        step=card.step,
        stability=card.stability,
        difficulty=card.difficulty,
        due=card.due,
        last_review=card.last_review,
    )
    return float(FSRS.get_card_retrievability(fsrs_card, at))


async def study(
    sessions: async_sessionmaker[AsyncSession],
    pack: Pack,
    learner_id: int,
    questions: list[str],
    rng: random.Random,
    seen: Seen,
    since: datetime | None = None,
) -> None:
    """A lesson, then reviews days apart, each recorded the way the study loop records it."""
    nonce = 0

    async def answer(question: str, mode: str, correct: bool, at: datetime) -> None:
        async with sessions() as session, session.begin():
            await records.record_answer(
                session,
                learner_id,
                question,
                mode=mode,
                chosen=0,
                correct=correct,
                nonce=f"r{next(NONCES)}",
                lesson_id=pack.questions[question].lesson_id,
                exam_id=None,
                now=at,
            )

    for question in questions:
        ref = pack.questions[question]
        at = T0 + timedelta(hours=rng.randrange(48))
        await answer(question, "lesson", rng.random() < 0.8, at)
        for _ in range(rng.randrange(2, 5)):
            nonce += 1
            at += timedelta(days=rng.choice((1, 2, 4, 7, 12, 20)), minutes=nonce)
            async with sessions() as session:
                card = (
                    await session.exec(
                        select(ReviewCard).where(
                            ReviewCard.learner_id == learner_id, ReviewCard.question_id == question
                        )
                    )
                ).one()
            recall = predicted(card, at)
            correct = rng.random() < recall
            if since is None or at >= since:
                key = (ref.level, ref.area, min(int(recall * 10), 9))
                seen.setdefault(key, []).append((recall, correct))
            await answer(question, "review", correct, at)


def check(report: ret.Retention, seen: Seen, pack: Pack) -> None:
    groups = {(g.level, g.area): g for g in report.groups}
    assert set(groups) == {(level, area) for level, area, _ in seen}
    for (level, area), group in groups.items():
        for index, b in enumerate(group.bins):
            values = seen.get((level, area, index), [])
            assert b.reviews == len(values)
            if values:
                assert b.predicted is not None and b.measured is not None
                assert math.isclose(b.predicted, sum(p for p, _ in values) / len(values))
                assert math.isclose(b.measured, sum(c for _, c in values) / len(values))
            else:
                assert b.predicted is None and b.measured is None
    assert report.total.reviews == sum(len(v) for v in seen.values())
    order = [area.id for area in pack.header.areas]
    assert list(groups) == sorted(groups, key=lambda k: (k[0], order.index(k[1])))


@pytest.fixture
async def studied(
    sessions: async_sessionmaker[AsyncSession], pack: Pack, tree: dict[str, Unit]
) -> dict[str, Seen]:
    """Learners of A1, A2x (in A) and B1 study level 1 and 2 lesson questions."""
    rng = random.Random(42)
    questions = pack.lesson_questions(1)[:6] + pack.lesson_questions(2)[:3]
    seen: dict[str, Seen] = {"A": {}, "all": {}}
    for unit in ("A1", "A2x", "B1", "A1"):
        learner = await add_learner(sessions, unit=unit, name="Học viên", created_at=T0)
        mine: Seen = {}
        await study(sessions, pack, learner.id or 0, questions, rng, mine)
        for scope in ("all", "A") if unit != "B1" else ("all",):
            for key, values in mine.items():
                seen[scope].setdefault(key, []).extend(values)
    return seen


async def retention_of(
    sessions: async_sessionmaker[AsyncSession], pack: Pack, code: str | None, **options: object
) -> ret.Retention:
    async with sessions() as session, session.begin():
        _unit, report = await ret.access_retention(
            session,
            CLI,
            pack,
            code,
            NOW,
            **options,  # type: ignore[arg-type]
        )
        return report


async def test_the_replayed_predictions_are_those_of_the_live_cards(
    sessions: async_sessionmaker[AsyncSession], pack: Pack, studied: dict[str, Seen]
) -> None:
    check(await retention_of(sessions, pack, None), studied["all"], pack)
    check(await retention_of(sessions, pack, "A"), studied["A"], pack)
    level2 = await retention_of(sessions, pack, None, level=2)
    assert {g.level for g in level2.groups} == {2}
    assert level2.total.reviews == sum(len(v) for k, v in studied["all"].items() if k[0] == 2)


async def test_since_counts_later_reviews_from_cards_replayed_from_the_start(
    sessions: async_sessionmaker[AsyncSession], pack: Pack, tree: dict[str, Unit]
) -> None:
    since = T0 + timedelta(days=10)
    learner = await add_learner(sessions, unit="A1", name="Học viên", created_at=T0)
    seen: Seen = {}
    questions = pack.lesson_questions(1)[:8]
    await study(sessions, pack, learner.id or 0, questions, random.Random(3), seen, since)
    check(await retention_of(sessions, pack, None, since=since), seen, pack)


async def test_nothing_reviewed_yet_is_an_empty_report(
    sessions: async_sessionmaker[AsyncSession], pack: Pack, tree: dict[str, Unit]
) -> None:
    report = await retention_of(sessions, pack, None)
    assert report.groups == ()
    assert report.total.reviews == 0 and report.total.measured is None


async def test_organisers_see_their_subtree_only_and_views_are_audited(
    sessions: async_sessionmaker[AsyncSession],
    pack: Pack,
    tree: dict[str, Unit],
    studied: dict[str, Seen],
) -> None:
    boss = await add_learner(sessions, unit=None, name="Tổ chức A", created_at=T0)
    await grant(sessions, boss, Role.ORGANISER, tree["A"])
    async with sessions() as session, session.begin():
        actor = await load_actor(session, boss.id or 0)
        _unit, report = await ret.access_retention(session, actor, pack, None, NOW)
        check(report, studied["A"], pack)
        with pytest.raises(Forbidden):
            await ret.access_retention(session, actor, pack, "B", NOW)
    async with sessions() as session:
        entries = (await session.exec(select(AuditEntry))).all()
    assert [(e.action, e.actor_id, e.unit_id) for e in entries][-1] == (
        "retention.view",
        boss.id,
        tree["A"].id,
    )


async def test_the_cli_writes_the_bins_as_csv(
    database_url: str, pack: Pack, studied: dict[str, Seen]
) -> None:
    result = await hocvuso(database_url, "report", "retention", "--format", "csv")
    assert result.exit_code == 0, result.output
    table = list(csv.reader(io.StringIO(result.stdout)))
    assert table[0] == [
        "Cấp độ",
        "Lĩnh vực",
        "Khoảng dự đoán",
        "Số lượt ôn tập",
        "Dự đoán nhớ (%)",
        "Thực tế nhớ (%)",
        "Chênh lệch (điểm %)",
    ]
    total = [line for line in table if line[0] == "Tất cả" and line[2] == "Mọi khoảng"]
    assert [int(line[3]) for line in total] == [sum(len(v) for v in studied["all"].values())]
    bins = [line for line in table[1:] if line[0] != "Tất cả" and line[2] != "Mọi khoảng"]
    assert sum(int(line[3]) for line in bins) == sum(len(v) for v in studied["all"].values())
    bad = await hocvuso(database_url, "report", "retention", "--since", "hôm qua")
    assert bad.exit_code == 2
