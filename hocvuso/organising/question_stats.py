"""Item analysis of the questions, as Moodle's quiz statistics define it.

See docs/question-statistics.md.

Per question, from the answers of finished level exams (or, separately, from lessons):

- facility index F = 100 · mean mark (marks are 0 or 1);
- discrimination index D = 100 · C(x, X) / √(V(x) · V(X)), the correlation of the question's
  mark x with the mark X on the rest of the test (the attempt's other questions);
- discriminative efficiency DE = 100 · C(x, X) / Cmax(x, X), where Cmax is the covariance the
  same marks would have if they were sorted in the same order as the rest-of-test marks;

with sample variances and covariances (divided by s − 1): they cancel in both ratios. A question
is flagged when DE < 15% or D < 0 (Moodle's "dubious" questions), as are the shares of each option.

Everything is aggregated in SQL: one row per question with integer sums (s, Σx, ΣX, ΣX², ΣxX,
and the sum of the Σx largest rest-of-test marks, which is what sorting pairs with the ones), so
that the ratios are computed exactly from integers, whatever the number of learners.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, Select, case, func, literal, select
from sqlmodel.ext.asyncio.session import AsyncSession

from hocvuso.content.loader import Pack
from hocvuso.organising import audit
from hocvuso.organising.errors import Invalid
from hocvuso.organising.permissions import Action, Actor, access_unit
from hocvuso.storage import tables
from hocvuso.storage.organising import Unit

QA = tables.QUIZ_ATTEMPT
E = tables.EXAM_ATTEMPT
L = tables.LEARNER
U = tables.UNIT
#: Moodle shows a question as dubious below this discriminative efficiency (%).
LOW_EFFICIENCY = 15.0
SUMS = ("s", "x", "rest", "rest_squares", "products", "top_rest")


class Source(StrEnum):
    EXAM = "exam"  # a finished level exam is the test
    LESSON = "lesson"  # a learner's first answers to one lesson's questions are the test


class Flag(StrEnum):
    LOW_EFFICIENCY = "low-efficiency"
    NEGATIVE_DISCRIMINATION = "negative-discrimination"


@dataclass(frozen=True)
class OptionShare:
    index: int
    correct: bool
    count: int
    #: Percent of the question's answers that chose this option.
    percent: float


@dataclass(frozen=True)
class Sums:
    """A question's sums over its s attempts: x its mark, X the rest of the test."""

    s: int
    x: int
    rest: int
    rest_squares: int
    products: int
    #: Σ of the ``x`` largest rest-of-test marks: Σ x·X once both are sorted alike.
    top_rest: int


@dataclass(frozen=True)
class QuestionStats:
    question_id: str
    level: int | None  # None: no longer in the pack
    area: str | None
    source: Source
    attempts: int
    correct: int
    facility: float | None
    discrimination: float | None
    efficiency: float | None
    options: tuple[OptionShare, ...]

    @property
    def flags(self) -> tuple[Flag, ...]:
        flags = []
        if self.efficiency is not None and self.efficiency < LOW_EFFICIENCY:
            flags.append(Flag.LOW_EFFICIENCY)
        if self.discrimination is not None and self.discrimination < 0:
            flags.append(Flag.NEGATIVE_DISCRIMINATION)
        return tuple(flags)

    @property
    def wrong_options(self) -> tuple[OptionShare, ...]:
        return tuple(o for o in self.options if not o.correct)


def indices(sums: Sums) -> tuple[float | None, float | None, float | None]:
    """Facility, discrimination index and discriminative efficiency (percent), or None where
    Moodle shows none (no attempt; a single attempt; no variance)."""
    s, x = sums.s, sums.x
    if s == 0:
        return None, None, None
    facility = 100 * x / s
    if s < 2:
        return facility, None, None
    # s(s − 1) times the sample (co)variances: integers, so no cancellation error.
    covariance = s * sums.products - x * sums.rest
    variance_x = s * x - x * x  # marks are 0 or 1: Σx² = Σx
    variance_rest = s * sums.rest_squares - sums.rest * sums.rest
    covariance_max = s * sums.top_rest - x * sums.rest
    discrimination = (
        100 * covariance / math.sqrt(variance_x * variance_rest)
        if variance_x * variance_rest
        else None
    )
    efficiency = 100 * covariance / covariance_max if covariance_max else None
    return facility, discrimination, efficiency


def _marks(source: Source, root: Unit | None, level: int | None) -> Select[Any]:
    """One row per answer that counts: the test it belongs to, the question, its mark, the
    option chosen."""
    mark = case((QA.c.correct, 1), else_=0)
    if source is Source.EXAM:
        query = (
            select(
                QA.c.exam_id.label("test"),
                literal(0).label("part"),
                QA.c.question_id,
                mark.label("x"),
                QA.c.chosen,
            )
            .select_from(QA.join(E, E.c.id == QA.c.exam_id))
            .where(QA.c.mode == "exam", E.c.finished_at.is_not(None))
        )
        if level is not None:
            query = query.where(E.c.level == level)
    else:
        first = (
            func.row_number()
            .over(
                partition_by=(QA.c.learner_id, QA.c.question_id),
                order_by=(QA.c.answered_at, QA.c.id),
            )
            .label("nth")
        )
        answers = (
            select(
                QA.c.learner_id.label("test"),
                QA.c.lesson_id.label("part"),
                QA.c.question_id,
                mark.label("x"),
                QA.c.chosen,
                first,
            )
            .where(QA.c.mode == "lesson", QA.c.lesson_id.is_not(None))
            .subquery("answers")
        )
        query = select(
            answers.c.test, answers.c.part, answers.c.question_id, answers.c.x, answers.c.chosen
        ).where(answers.c.nth == 1)
        return in_scope(query, root, answers.c.test)
    return in_scope(query, root, QA.c.learner_id)


def in_scope(query: Select[Any], root: Unit | None, learner: ColumnElement[Any]) -> Select[Any]:
    """The rows of the learners of ``root``'s subtree (None: everyone)."""
    if root is None:
        return query
    members = (
        select(L.c.id)
        .select_from(L.join(U, U.c.code == L.c.unit_code))
        .where(U.c.path.startswith(root.path))
    )
    return query.where(learner.in_(members))


def sums_query(source: Source, root: Unit | None, level: int | None) -> Select[Any]:
    marks = _marks(source, root, level).subquery("marks")
    test = (marks.c.test, marks.c.part)
    with_rest = select(
        marks.c.question_id,
        marks.c.x,
        (func.sum(marks.c.x).over(partition_by=test) - marks.c.x).label("rest"),
    ).subquery("with_rest")
    ranked = select(
        with_rest.c.question_id,
        with_rest.c.x,
        with_rest.c.rest,
        func.row_number()
        .over(partition_by=with_rest.c.question_id, order_by=with_rest.c.rest.desc())
        .label("rank"),
        func.sum(with_rest.c.x).over(partition_by=with_rest.c.question_id).label("ones"),
    ).subquery("ranked")
    return (
        select(
            ranked.c.question_id,
            func.count().label("s"),
            func.sum(ranked.c.x).label("x"),
            func.sum(ranked.c.rest).label("rest"),
            func.sum(ranked.c.rest * ranked.c.rest).label("rest_squares"),
            func.sum(ranked.c.x * ranked.c.rest).label("products"),
            func.sum(case((ranked.c.rank <= ranked.c.ones, ranked.c.rest), else_=0)).label(
                "top_rest"
            ),
        )
        .group_by(ranked.c.question_id)
        .order_by(ranked.c.question_id)
    )


def choices_query(source: Source, root: Unit | None, level: int | None) -> Select[Any]:
    marks = _marks(source, root, level).subquery("marks")
    return select(marks.c.question_id, marks.c.chosen, func.count().label("n")).group_by(
        marks.c.question_id, marks.c.chosen
    )


async def question_stats(
    session: AsyncSession,
    pack: Pack,
    root: Unit | None,
    *,
    source: Source = Source.EXAM,
    level: int | None = None,
) -> list[QuestionStats]:
    """Every question answered in the scope (the learners of ``root``'s subtree; None: all),
    in the pack's order (level, area, question), those no longer in the pack last."""
    connection = await session.connection()
    chosen: dict[str, dict[int, int]] = {}
    for question_id, option, count in await connection.execute(choices_query(source, root, level)):
        chosen.setdefault(question_id, {})[int(option)] = int(count)
    result = []
    for row in (await connection.execute(sums_query(source, root, level))).mappings():
        sums = Sums(*(int(row[name]) for name in SUMS))
        ref = pack.questions.get(row["question_id"])
        if level is not None and source is Source.LESSON and (ref is None or ref.level != level):
            continue
        result.append(_stats(row["question_id"], ref, source, sums, chosen))
    order = pack.area_order
    result.sort(
        key=lambda q: (
            q.level is None,
            q.level or 0,
            order.get(q.area or "", len(order)),
            q.question_id,
        )
    )
    return result


def _stats(
    question_id: str,
    ref: Any,
    source: Source,
    sums: Sums,
    chosen: dict[str, dict[int, int]],
) -> QuestionStats:
    facility, discrimination, efficiency = indices(sums)
    counts = chosen.get(question_id, {})
    n_options = len(ref.question.options) if ref else max(counts, default=-1) + 1
    key = ref.question.correct if ref else None
    options = tuple(
        OptionShare(i, i == key, counts.get(i, 0), 100 * counts.get(i, 0) / sums.s)
        for i in range(n_options)
    )
    return QuestionStats(
        question_id=question_id,
        level=ref.level if ref else None,
        area=ref.area if ref else None,
        source=source,
        attempts=sums.s,
        correct=sums.x,
        facility=facility,
        discrimination=discrimination,
        efficiency=efficiency,
        options=options,
    )


async def access_question_stats(
    session: AsyncSession,
    actor: Actor,
    pack: Pack,
    code: str | None,
    now: datetime,
    *,
    source: Source = Source.EXAM,
    level: int | None = None,
    export: str | None = None,
) -> tuple[Unit | None, list[QuestionStats]]:
    """:func:`question_stats` of a unit subtree in the actor's scope (the report's permission:
    organisers of the subtree, admins; no code: their first scope, or everyone for admins);
    audited as a view or an export."""
    if level is not None and not 1 <= level <= 4:
        raise Invalid("export-level")
    unit = await access_unit(session, actor, Action.REPORT, code or None)
    stats = await question_stats(session, pack, unit, source=source, level=level)
    details: dict[str, Any] = {"source": source.value, "questions": len(stats)}
    if level is not None:
        details["level"] = level
    if export:
        details["format"] = export
    action = "questions.export" if export else "questions.view"
    await audit.record_by(session, actor, action, unit.id if unit else None, now, **details)
    return unit, stats
