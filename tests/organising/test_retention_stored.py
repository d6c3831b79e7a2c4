"""Retention from stored predictions (migration 0012): ``record_answer`` stores the recall FSRS
predicts for each review; the report sums those in SQL and replays only the cards with reviews
recorded before the column existed. Mixed histories must give exactly the report of the live
cards (``test_retention.check``), and so must the history once backfilled."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from hocvuso.content.loader import Pack
from hocvuso.learning import records
from hocvuso.organising import retention as ret
from hocvuso.storage.models import NO_PREDICTION, QuizAttempt
from hocvuso.storage.organising import Unit
from tests.factories import add_learner
from tests.organising.cli import hocvuso
from tests.organising.test_retention import T0, Seen, check, retention_of, study

#: Reviews before this moment count as recorded before migration 0012 (no stored prediction).
MIGRATED = T0 + timedelta(days=15)


async def reviews(sessions: async_sessionmaker[AsyncSession]) -> list[QuizAttempt]:
    async with sessions() as session:
        query = select(QuizAttempt).where(QuizAttempt.mode == "review")
        return list((await session.exec(query.order_by(col(QuizAttempt.id)))).all())


async def forget_before(
    sessions: async_sessionmaker[AsyncSession], learners: list[int], moment: object
) -> None:
    """These learners' reviews before ``moment`` lose their prediction, as rows recorded before
    the migration have none."""
    async with sessions() as session, session.begin():
        await session.exec(
            update(QuizAttempt)
            .where(
                col(QuizAttempt.learner_id).in_(learners),
                col(QuizAttempt.answered_at) < moment,
            )
            .values(predicted_recall=None)
        )


@pytest.fixture
async def history(
    sessions: async_sessionmaker[AsyncSession], pack: Pack, tree: dict[str, Unit]
) -> tuple[dict[str, Seen], list[int]]:
    """Four learners (A1, A2x, B1, A1) review level 1 and 2 questions; the first has only old
    reviews, the second and third a mix of old and new, the last only new ones."""
    rng = random.Random(7)
    questions = pack.lesson_questions(1)[:6] + pack.lesson_questions(2)[:3]
    seen: dict[str, Seen] = {"A": {}, "all": {}}
    ids = []
    for unit in ("A1", "A2x", "B1", "A1"):
        learner = await add_learner(sessions, unit=unit, name="Học viên", created_at=T0)
        ids.append(learner.id or 0)
        mine: Seen = {}
        await study(sessions, pack, learner.id or 0, questions, rng, mine)
        for scope in ("all", "A") if unit != "B1" else ("all",):
            for key, values in mine.items():
                seen[scope].setdefault(key, []).extend(values)
    await forget_before(sessions, ids[:1], T0 + timedelta(days=400))
    await forget_before(sessions, ids[1:3], MIGRATED)
    return seen, ids


async def test_record_answer_stores_the_live_cards_prediction(
    sessions: async_sessionmaker[AsyncSession], pack: Pack, tree: dict[str, Unit]
) -> None:
    learner = await add_learner(sessions, unit="A1", name="Học viên", created_at=T0)
    seen: Seen = {}
    await study(
        sessions, pack, learner.id or 0, pack.lesson_questions(1)[:4], random.Random(5), seen
    )
    stored = sorted(r.predicted_recall or 0.0 for r in await reviews(sessions))
    expected = sorted(p for values in seen.values() for p, _ in values)
    assert stored == pytest.approx(expected, rel=1e-12)
    async with sessions() as session:
        others = (await session.exec(select(QuizAttempt).where(QuizAttempt.mode != "review"))).all()
    assert others and all(r.predicted_recall is None for r in others)


async def test_a_mixed_history_gives_the_report_of_the_live_cards(
    sessions: async_sessionmaker[AsyncSession],
    pack: Pack,
    history: tuple[dict[str, Seen], list[int]],
) -> None:
    seen, _ids = history
    rows = await reviews(sessions)
    assert any(r.predicted_recall is None for r in rows)
    assert any(r.predicted_recall is not None for r in rows)
    check(await retention_of(sessions, pack, None), seen["all"], pack)
    check(await retention_of(sessions, pack, "A"), seen["A"], pack)
    level2 = await retention_of(sessions, pack, None, level=2)
    assert level2.total.reviews == sum(len(v) for k, v in seen["all"].items() if k[0] == 2)


async def test_since_on_a_mixed_history(
    sessions: async_sessionmaker[AsyncSession], pack: Pack, tree: dict[str, Unit]
) -> None:
    since = T0 + timedelta(days=10)
    learner = await add_learner(sessions, unit="A1", name="Học viên", created_at=T0)
    seen: Seen = {}
    questions = pack.lesson_questions(1)[:8]
    await study(sessions, pack, learner.id or 0, questions, random.Random(3), seen, since)
    await forget_before(sessions, [learner.id or 0], MIGRATED)
    check(await retention_of(sessions, pack, None, since=since), seen, pack)


async def test_a_backfilled_history_is_summed_without_any_replay(
    sessions: async_sessionmaker[AsyncSession],
    pack: Pack,
    history: tuple[dict[str, Seen], list[int]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen, _ids = history
    after: int | None = 0
    batches = 0
    while after is not None:
        async with sessions() as session, session.begin():
            after = await ret.backfill(session, after, learners=1)
        batches += 1
    assert batches == 4  # three learners had old reviews, one at a time, then none left
    assert all(r.predicted_recall is not None for r in await reviews(sessions))

    def no_replay(*_args: object) -> None:
        raise AssertionError("replayed a card with stored predictions")

    monkeypatch.setattr(ret.srs, "next_values", no_replay)
    check(await retention_of(sessions, pack, None), seen["all"], pack)
    check(await retention_of(sessions, pack, "A"), seen["A"], pack)


async def test_a_review_of_a_card_without_state_predicts_nothing_and_is_never_replayed(
    sessions: async_sessionmaker[AsyncSession],
    pack: Pack,
    tree: dict[str, Unit],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    learner = await add_learner(sessions, unit="A1", name="Học viên", created_at=T0)
    question = pack.lesson_questions(1)[0]
    for n, day in enumerate((1, 5)):
        async with sessions() as session, session.begin():
            await records.record_answer(
                session,
                learner.id or 0,
                question,
                mode="review",
                chosen=0,
                correct=True,
                nonce=f"s{n}",
                lesson_id=None,
                exam_id=None,
                now=T0 + timedelta(days=day),
            )
    first, second = await reviews(sessions)
    assert first.predicted_recall == NO_PREDICTION
    assert second.predicted_recall is not None and 0 < second.predicted_recall <= 1

    def no_replay(*_args: object) -> None:
        raise AssertionError("replayed a card with stored predictions")

    monkeypatch.setattr(ret.srs, "next_values", no_replay)
    report = await retention_of(sessions, pack, None)
    assert report.total.reviews == 1
    assert report.total.predicted == pytest.approx(second.predicted_recall)
    async with sessions() as session, session.begin():
        assert await ret.backfill(session) is None


async def test_the_backfill_command_stores_every_old_prediction_in_batches(
    database_url: str,
    sessions: async_sessionmaker[AsyncSession],
    pack: Pack,
    history: tuple[dict[str, Seen], list[int]],
) -> None:
    seen, _ids = history
    result = await hocvuso(database_url, "db", "backfill-recall", "--batch", "2")
    assert result.exit_code == 0, result.output
    assert "(2 batches)" in result.output  # three learners with old reviews, two at a time
    assert all(r.predicted_recall is not None for r in await reviews(sessions))
    check(await retention_of(sessions, pack, None), seen["all"], pack)
    again = await hocvuso(database_url, "db", "backfill-recall")
    assert again.exit_code == 0 and "(0 batches)" in again.output


async def test_the_fast_report_equals_the_full_replay(
    sessions: async_sessionmaker[AsyncSession],
    pack: Pack,
    history: tuple[dict[str, Seen], list[int]],
) -> None:
    """The mixed history summed and replayed, against the same history with every prediction
    dropped (the report before migration 0012: everything replayed)."""
    mixed = await retention_of(sessions, pack, None)
    _seen, ids = history
    await forget_before(sessions, ids, T0 + timedelta(days=400))
    replayed = await retention_of(sessions, pack, None)
    assert mixed.total.reviews == replayed.total.reviews > 0
    assert [(g.level, g.area) for g in mixed.groups] == [(g.level, g.area) for g in replayed.groups]
    for fast, slow in zip(mixed.groups, replayed.groups, strict=True):
        assert [b.reviews for b in fast.bins] == [b.reviews for b in slow.bins]
        assert [b.measured for b in fast.bins] == [b.measured for b in slow.bins]
        assert [b.predicted for b in fast.bins] == pytest.approx([b.predicted for b in slow.bins])
