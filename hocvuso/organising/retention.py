"""Retention: FSRS-predicted recall at review time against the recall measured on reviews, per
level and area, in bins of predicted recall (docs/question-statistics.md).

Since migration 0012 ``record_answer`` stores with each review the card's retrievability just
before it (``quiz_attempt.predicted_recall``; ``NO_PREDICTION`` for a card with no state), and
the report sums those rows in one GROUP BY. Reviews recorded before have none: their cards are
replayed as before. A card's state is a deterministic function of its answers (FSRS's fuzz moves
only the due date, never stability or difficulty), so replaying the learner's lesson and review
answers of a question, in order, through :func:`hocvuso.learning.srs.next_values` gives the card
as it stood before every review, hence the prediction, streamed in (learner, question, time)
order, one card in memory at a time. :func:`backfill` stores those predictions, in batches of
learners, after which nothing is replayed."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Float, Select, bindparam, case, exists, func, literal, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from hocvuso.content.loader import Pack
from hocvuso.learning import srs
from hocvuso.organising import audit
from hocvuso.organising.errors import Invalid
from hocvuso.organising.permissions import Action, Actor, access_unit
from hocvuso.organising.question_stats import in_scope
from hocvuso.storage import tables
from hocvuso.storage.models import NO_PREDICTION
from hocvuso.storage.organising import Unit

QA = tables.QUIZ_ATTEMPT
BINS = 10  # predicted recall in tenths: [0, 0.1), …, [0.9, 1]
STREAM_ROWS = 5_000


@dataclass(frozen=True)
class Bin:
    low: float
    high: float
    reviews: int
    #: Mean predicted recall of the reviews in the bin (0 … 1); None for an empty bin.
    predicted: float | None
    #: Share of those reviews answered correctly (0 … 1).
    measured: float | None


@dataclass(frozen=True)
class Group:
    level: int | None  # None: all levels (the total), or a question no longer in the pack
    area: str | None
    reviews: int
    predicted: float | None
    measured: float | None
    bins: tuple[Bin, ...]


@dataclass
class _Tally:
    reviews: list[int] = field(default_factory=lambda: [0] * BINS)
    predicted: list[float] = field(default_factory=lambda: [0.0] * BINS)
    correct: list[int] = field(default_factory=lambda: [0] * BINS)

    def add(self, predicted: float, correct: bool) -> None:
        index = bin_of(predicted)
        self.reviews[index] += 1
        self.predicted[index] += predicted
        self.correct[index] += int(correct)

    def add_sums(self, index: int, reviews: int, predicted: float, correct: int) -> None:
        self.reviews[index] += reviews
        self.predicted[index] += predicted
        self.correct[index] += correct

    def group(self, level: int | None, area: str | None) -> Group:
        bins = tuple(
            Bin(
                i / BINS,
                (i + 1) / BINS,
                n,
                self.predicted[i] / n if n else None,
                self.correct[i] / n if n else None,
            )
            for i, n in enumerate(self.reviews)
        )
        total = sum(self.reviews)
        return Group(
            level,
            area,
            total,
            sum(self.predicted) / total if total else None,
            sum(self.correct) / total if total else None,
            bins,
        )


@dataclass(frozen=True)
class Retention:
    groups: tuple[Group, ...]
    total: Group


def bin_of(predicted: float) -> int:
    """The bin of a predicted recall: the first whose upper bound is above it (the last for 1).
    The same comparisons as :func:`_bin_case` in SQL, so both paths bin a value alike."""
    for index, bound in enumerate(BOUNDS):
        if predicted < bound:
            return index
    return BINS - 1


#: The bins' upper bounds but the last's: 0.1, 0.2, …, 0.9.
BOUNDS = tuple((i + 1) / BINS for i in range(BINS - 1))


def _bin_case(column: Any) -> Any:
    return case(
        *((column < literal(bound, Float), index) for index, bound in enumerate(BOUNDS)),
        else_=BINS - 1,
    )


def answers_query(root: Unit | None) -> Select[Any]:
    """The answers that move the review cards to replay, in replay order: the cards with a
    review recorded without a prediction (before migration 0012). A ``since`` limits which
    reviews are counted, never the replay: a card's state depends on all its earlier answers."""
    unpredicted = QA.alias("unpredicted")
    has_old_review = (
        exists()
        .where(
            unpredicted.c.learner_id == QA.c.learner_id,
            unpredicted.c.question_id == QA.c.question_id,
            unpredicted.c.mode == "review",
            unpredicted.c.predicted_recall.is_(None),
        )
        .correlate(QA)
    )
    query = (
        select(
            QA.c.learner_id,
            QA.c.question_id,
            QA.c.mode,
            QA.c.correct,
            QA.c.answered_at,
            QA.c.predicted_recall,
            QA.c.id,
        )
        # Cards never reviewed predict nothing, those with stored predictions are summed in
        # SQL: neither is replayed.
        .where(QA.c.mode.in_(("lesson", "review")), has_old_review)
        .order_by(QA.c.learner_id, QA.c.question_id, QA.c.answered_at, QA.c.id)
    )
    return in_scope(query, root, QA.c.learner_id)


def stored_query(root: Unit | None, since: datetime | None) -> Select[Any]:
    """Reviews with a stored prediction, per question and bin: count, Σ predicted, Σ correct."""
    predicted = QA.c.predicted_recall
    index = _bin_case(predicted).label("bin")
    query = (
        select(
            QA.c.question_id,
            index,
            func.count(),
            func.sum(predicted),
            func.sum(case((QA.c.correct, 1), else_=0)),
        )
        .where(QA.c.mode == "review", predicted >= 0)
        .group_by(QA.c.question_id, index)
    )
    if since is not None:
        query = query.where(QA.c.answered_at >= since)
    return in_scope(query, root, QA.c.learner_id)


class Replay:
    """Cards rebuilt answer by answer (answers in :func:`answers_query` order): one card in
    memory at a time."""

    def __init__(self, since: datetime | None = None) -> None:
        self.since = since
        self.key: tuple[int, str] | None = None
        self.card: dict[str, Any] | None = None

    def step(
        self, learner_id: int, question_id: str, mode: str, correct: bool, at: datetime
    ) -> float | None:
        """The answer applied to its card; for a review of a card that had a state (and not
        before ``since``), the recall FSRS predicted for it."""
        if (learner_id, question_id) != self.key:
            self.key, self.card = (learner_id, question_id), None
        predicted = None
        if mode == "review" and self.card is not None and (self.since is None or at >= self.since):
            predicted = srs.retrievability(self.card, at)
        self.card = srs.next_values(self.card, bool(correct), at)
        return predicted


async def retention(
    session: AsyncSession,
    pack: Pack,
    root: Unit | None,
    *,
    level: int | None = None,
    since: datetime | None = None,
) -> Retention:
    """Per (level, area) of the pack, in its order, then questions no longer in it; and the
    total over them. Reviews with a stored prediction are summed by the database; the cards
    with older reviews are replayed, and only those reviews counted from the replay."""
    connection = await session.connection()
    tallies: dict[tuple[int | None, str | None], _Tally] = {}
    total = _Tally()

    def group_of(question_id: str) -> tuple[int | None, str | None] | None:
        ref = pack.questions.get(question_id)
        group = (ref.level, ref.area) if ref else (None, None)
        return None if level is not None and group[0] != level else group

    for question_id, index, reviews, predicted_sum, correct in await connection.execute(
        stored_query(root, since)
    ):
        group = group_of(question_id)
        if group is None:
            continue
        values = (int(index), int(reviews), float(predicted_sum), int(correct))
        tallies.setdefault(group, _Tally()).add_sums(*values)
        total.add_sums(*values)

    cards = Replay(since)
    result = await connection.stream(answers_query(root).execution_options(yield_per=STREAM_ROWS))
    async for learner_id, question_id, mode, correct, answered_at, stored, _id in result:
        predicted = cards.step(learner_id, question_id, mode, correct, answered_at)
        if predicted is None or stored is not None:  # a stored one is summed above
            continue
        group = group_of(question_id)
        if group is None:
            continue
        tallies.setdefault(group, _Tally()).add(predicted, correct)
        total.add(predicted, correct)
    order = pack.area_order
    keys = sorted(
        tallies, key=lambda k: (k[0] is None, k[0] or 0, order.get(k[1] or "", len(order)))
    )
    return Retention(
        tuple(tallies[k].group(*k) for k in keys),
        total.group(level, None),
    )


async def backfill(session: AsyncSession, after: int = 0, learners: int = 500) -> int | None:
    """Store the predictions of the reviews recorded before migration 0012 for the next
    ``learners`` learners (by id, after ``after``) that have any: replayed as the report does,
    :data:`NO_PREDICTION` where nothing could be predicted. Returns the last learner done (the
    next call's ``after``; commit in between), None when none is left. Safe while learners
    study: their new reviews carry their prediction already, old rows never change."""
    connection = await session.connection()
    batch = (
        await connection.execute(
            select(QA.c.learner_id)
            .where(QA.c.mode == "review", QA.c.predicted_recall.is_(None), QA.c.learner_id > after)
            .group_by(QA.c.learner_id)
            .order_by(QA.c.learner_id)
            .limit(learners)
        )
    ).all()
    if not batch:
        return None
    first, last = batch[0][0], batch[-1][0]
    query = answers_query(None).where(QA.c.learner_id.between(first, last))
    cards = Replay()
    updates = []
    for learner_id, question_id, mode, correct, answered_at, stored, row_id in (
        await connection.execute(query)
    ).all():
        predicted = cards.step(learner_id, question_id, mode, correct, answered_at)
        if mode == "review" and stored is None:
            value = NO_PREDICTION if predicted is None else predicted
            updates.append({"row": row_id, "value": value})
    if updates:
        await connection.execute(
            update(QA)
            .where(QA.c.id == bindparam("row"))
            .values(predicted_recall=bindparam("value")),
            updates,
        )
    return int(last)


async def access_retention(
    session: AsyncSession,
    actor: Actor,
    pack: Pack,
    code: str | None,
    now: datetime,
    *,
    level: int | None = None,
    since: datetime | None = None,
    export: str | None = None,
) -> tuple[Unit | None, Retention]:
    """:func:`retention` of a unit subtree in the actor's scope (the report's permission);
    audited as a view or an export."""
    if level is not None and not 1 <= level <= 4:
        raise Invalid("export-level")
    unit = await access_unit(session, actor, Action.REPORT, code or None)
    report = await retention(session, pack, unit, level=level, since=since)
    details: dict[str, Any] = {"reviews": report.total.reviews}
    if level is not None:
        details["level"] = level
    if export:
        details["format"] = export
    action = "retention.export" if export else "retention.view"
    await audit.record_by(session, actor, action, unit.id if unit else None, now, **details)
    return unit, report
