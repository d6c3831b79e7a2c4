"""Retention: FSRS-predicted recall at review time against the recall measured on reviews, per
level and area, in bins of predicted recall (docs/question-statistics.md).

The store keeps each review card's current FSRS state only, not its state at each past review,
and no prediction is stored with an answer. The attempts log is the record: a card's state is a
deterministic function of its answers (FSRS's fuzz moves only the due date, never stability or
difficulty), so replaying each learner's lesson and review answers of a question, in order,
through :func:`hocvuso.learning.srs.next_values` gives the card as it stood before every review,
hence the retrievability FSRS predicted then. No migration, and history is covered too. The
answers are streamed in (learner, question, time) order, one card in memory at a time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Select, exists, select
from sqlmodel.ext.asyncio.session import AsyncSession

from hocvuso.content.loader import Pack
from hocvuso.learning import srs
from hocvuso.organising import audit
from hocvuso.organising.errors import Invalid
from hocvuso.organising.permissions import Action, Actor, access_unit
from hocvuso.organising.question_stats import in_scope
from hocvuso.storage import tables
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
        index = min(int(predicted * BINS), BINS - 1)
        self.reviews[index] += 1
        self.predicted[index] += predicted
        self.correct[index] += int(correct)

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


def answers_query(root: Unit | None) -> Select[Any]:
    """The answers that move review cards, in replay order. A ``since`` limits which reviews
    are counted, never the replay: a card's state depends on all its earlier answers."""
    reviewed = QA.alias("reviewed")
    has_review = (
        exists()
        .where(
            reviewed.c.learner_id == QA.c.learner_id,
            reviewed.c.question_id == QA.c.question_id,
            reviewed.c.mode == "review",
        )
        .correlate(QA)
    )
    query = (
        select(QA.c.learner_id, QA.c.question_id, QA.c.mode, QA.c.correct, QA.c.answered_at)
        # Cards never reviewed predict nothing: not replayed.
        .where(QA.c.mode.in_(("lesson", "review")), has_review)
        .order_by(QA.c.learner_id, QA.c.question_id, QA.c.answered_at, QA.c.id)
    )
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
    total over them."""
    connection = await session.connection()
    tallies: dict[tuple[int | None, str | None], _Tally] = {}
    total = _Tally()
    cards = Replay(since)
    result = await connection.stream(answers_query(root).execution_options(yield_per=STREAM_ROWS))
    async for learner_id, question_id, mode, correct, answered_at in result:
        predicted = cards.step(learner_id, question_id, mode, correct, answered_at)
        if predicted is None:
            continue
        ref = pack.questions.get(question_id)
        group = (ref.level, ref.area) if ref else (None, None)
        if level is not None and group[0] != level:
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
