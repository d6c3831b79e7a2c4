"""Item analysis: the indices of a seeded attempt set equal those computed here independently,
the way Moodle's question statistics calculator walks the attempts (means, sorted mark arrays,
sums divided by s − 1), plus the edge cases (everyone right, one attempt, no attempt), the
scope, the level, the lesson source, the flags and the CLI files."""

from __future__ import annotations

import csv
import io
import math
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from hocvuso.content.loader import Pack
from hocvuso.organising import question_stats as qs
from hocvuso.organising.errors import Forbidden
from hocvuso.organising.permissions import CLI, load_actor
from hocvuso.storage.organising import AuditEntry, Role, Unit
from tests.factories import ATTEMPT, EXAM, add_learner, grant, insert_learner
from tests.organising.cli import hocvuso

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
START = NOW - timedelta(days=20)
POOL = [f"t1-exam-{i}" for i in range(6)]
EASY, HARD, BACKWARDS, ONCE = POOL[0], POOL[1], POOL[2], POOL[5]


@dataclass
class Answer:
    question: str
    correct: bool
    chosen: int


@dataclass
class Attempt:
    unit: str
    level: int
    answers: list[Answer]
    finished: bool = True


def _seed_attempts(pack: Pack) -> list[Attempt]:
    """30 finished level 1 exams of learners of ability 0 … 1: EASY everyone gets right,
    BACKWARDS only the weakest get right, HARD only the strongest, ONCE is in a single attempt."""
    rng = random.Random(20261203)
    attempts = []
    for n in range(30):
        ability = n / 29
        answers = []
        for question in POOL[:5] if n else POOL:
            ref = pack.questions[question]
            if question == EASY:
                right = True
            elif question == BACKWARDS:
                right = n < 8
            elif question == HARD:
                right = n >= 18
            else:
                right = rng.random() < ability
            wrong = [i for i in range(len(ref.question.options)) if i != ref.question.correct]
            chosen = ref.question.correct if right else rng.choice(wrong)
            answers.append(Answer(question, right, chosen))
        attempts.append(Attempt("A1" if n % 2 else "A2x", 1, answers))
    # Not counted at level 1: an unfinished exam and a level 2 exam.
    attempts.append(Attempt("A1", 1, [Answer(POOL[3], False, 1)] * 1, finished=False))
    level2 = pack.exam_pools[2]
    attempts.append(Attempt("B1", 2, [Answer(q, i == 0, 0) for i, q in enumerate(level2)]))
    return attempts


async def _store(database: AsyncEngine, attempts: list[Attempt]) -> None:
    nonce = 0
    for attempt in attempts:
        learner = await insert_learner(database, unit_code=attempt.unit)
        async with database.begin() as connection:
            exam = await connection.execute(
                insert(EXAM)
                .values(
                    learner_id=learner,
                    level=attempt.level,
                    question_ids=[a.question for a in attempt.answers],
                    correct=sum(a.correct for a in attempt.answers),
                    answered=len(attempt.answers),
                    passed=True,
                    started_at=START,
                    finished_at=START if attempt.finished else None,
                )
                .returning(EXAM.c.id)
            )
            exam_id = exam.scalar_one()
            for a in attempt.answers:
                nonce += 1
                await connection.execute(
                    insert(ATTEMPT).values(
                        learner_id=learner,
                        question_id=a.question,
                        mode="exam",
                        chosen=a.chosen,
                        correct=a.correct,
                        prompt_nonce=f"e{nonce}",
                        exam_id=exam_id,
                        answered_at=START,
                    )
                )


def moodle(marks: list[tuple[int, int]]) -> tuple[float | None, float | None, float | None]:
    """Moodle's calculator on (mark, sum of marks of the attempt) pairs, maxmark 1."""
    s = len(marks)
    if not s:
        return None, None, None
    mark_avg = sum(m for m, _ in marks) / s
    other_avg = sum(t - m for m, t in marks) / s
    facility = 100 * mark_avg
    if s < 2:
        return facility, None, None
    mark_sorted = sorted(m for m, _ in marks)
    other_sorted = sorted(t - m for m, t in marks)
    var = sum((m - mark_avg) ** 2 for m, _ in marks) / (s - 1)
    other_var = sum((t - m - other_avg) ** 2 for m, t in marks) / (s - 1)
    cov = sum((m - mark_avg) * (t - m - other_avg) for m, t in marks) / (s - 1)
    cov_max = sum(
        (a - mark_avg) * (b - other_avg) for a, b in zip(mark_sorted, other_sorted, strict=True)
    ) / (s - 1)
    discrimination = 100 * cov / math.sqrt(var * other_var) if var * other_var else None
    efficiency = 100 * cov / cov_max if cov_max else None
    return facility, discrimination, efficiency


def expected(attempts: list[Attempt], level: int, units: set[str]) -> dict[str, tuple]:
    marks: dict[str, list[tuple[int, int]]] = {}
    for attempt in attempts:
        if not attempt.finished or attempt.level != level or attempt.unit not in units:
            continue
        total = sum(a.correct for a in attempt.answers)
        for a in attempt.answers:
            marks.setdefault(a.question, []).append((int(a.correct), total))
    return {q: (len(m), *moodle(m)) for q, m in marks.items()}


def close(a: float | None, b: float | None) -> bool:
    return a is b is None or (a is not None and b is not None and math.isclose(a, b, abs_tol=1e-9))


@pytest.fixture
async def attempts(database: AsyncEngine, tree: dict[str, Unit], pack: Pack) -> list[Attempt]:
    seeded = _seed_attempts(pack)
    await _store(database, seeded)
    return seeded


async def stats_of(
    sessions: async_sessionmaker[AsyncSession], pack: Pack, code: str | None, **options: object
) -> list[qs.QuestionStats]:
    async with sessions() as session, session.begin():
        _unit, stats = await qs.access_question_stats(
            session,
            CLI,
            pack,
            code,
            NOW,
            **options,  # type: ignore[arg-type]
        )
        return stats


async def test_the_indices_are_moodles_for_the_seeded_attempts(
    sessions: async_sessionmaker[AsyncSession], pack: Pack, attempts: list[Attempt]
) -> None:
    stats = await stats_of(sessions, pack, None, level=1)
    want = expected(attempts, 1, {"A1", "A2x"})
    areas = [area.id for area in pack.header.areas]  # the pack's order: level, area, id
    order = sorted(want, key=lambda q: (areas.index(pack.questions[q].area), q))
    assert [q.question_id for q in stats] == order
    for q in stats:
        s, facility, discrimination, efficiency = want[q.question_id]
        assert q.attempts == s
        assert close(q.facility, facility), q
        assert close(q.discrimination, discrimination), q
        assert close(q.efficiency, efficiency), q
    by_id = {q.question_id: q for q in stats}
    # Everyone right: facility 100%, and no discrimination to speak of.
    assert by_id[EASY].facility == 100
    assert by_id[EASY].discrimination is None and by_id[EASY].efficiency is None
    # One attempt only: a facility, nothing else.
    assert by_id[ONCE].attempts == 1
    assert by_id[ONCE].discrimination is None and by_id[ONCE].efficiency is None
    # The question the strong get wrong discriminates backwards and is flagged.
    assert by_id[BACKWARDS].discrimination is not None and by_id[BACKWARDS].discrimination < 0
    assert qs.Flag.NEGATIVE_DISCRIMINATION in by_id[BACKWARDS].flags
    assert qs.Flag.LOW_EFFICIENCY in by_id[BACKWARDS].flags
    assert by_id[HARD].discrimination is not None and by_id[HARD].discrimination > 0


async def test_option_shares_count_every_choice_and_mark_the_key(
    sessions: async_sessionmaker[AsyncSession], pack: Pack, attempts: list[Attempt]
) -> None:
    stats = {q.question_id: q for q in await stats_of(sessions, pack, None, level=1)}
    for question, q in stats.items():
        answers = [
            a
            for t in attempts
            if t.finished and t.level == 1
            for a in t.answers
            if a.question == question
        ]
        ref = pack.questions[question].question
        assert [(o.index, o.correct, o.count) for o in q.options] == [
            (i, i == ref.correct, sum(a.chosen == i for a in answers))
            for i in range(len(ref.options))
        ]
        assert math.isclose(sum(o.percent for o in q.options), 100)
        assert all(not o.correct for o in q.wrong_options)


async def test_scope_level_and_no_attempts(
    sessions: async_sessionmaker[AsyncSession], pack: Pack, attempts: list[Attempt]
) -> None:
    a2 = await stats_of(sessions, pack, "A2", level=1)
    want = expected(attempts, 1, {"A2x"})
    assert {q.question_id: q.attempts for q in a2} == {q: v[0] for q, v in want.items()}
    for q in a2:
        assert close(q.discrimination, want[q.question_id][2])
    level2 = await stats_of(sessions, pack, None, level=2)
    assert [q.question_id for q in level2] == pack.exam_pools[2]
    assert await stats_of(sessions, pack, "B", level=1) == []
    assert await stats_of(sessions, pack, "A", level=3) == []


async def test_no_attempts_at_all_is_an_empty_analysis(
    sessions: async_sessionmaker[AsyncSession], pack: Pack, tree: dict[str, Unit]
) -> None:
    assert await stats_of(sessions, pack, None) == []
    assert qs.indices(qs.Sums(0, 0, 0, 0, 0, 0)) == (None, None, None)


async def test_lessons_are_analysed_separately_from_first_answers(
    database: AsyncEngine,
    sessions: async_sessionmaker[AsyncSession],
    pack: Pack,
    tree: dict[str, Unit],
) -> None:
    lesson = pack.lessons["t1-i1"]
    questions = [q for q in pack.lesson_questions(1) if pack.questions[q].lesson_id == "t1-i1"]
    rng = random.Random(5)
    marks: dict[str, list[tuple[int, int]]] = {}
    nonce = 0
    for n in range(12):
        learner = await insert_learner(database, unit_code="A1")
        first = {q: rng.random() < 0.3 + n / 15 for q in questions}
        total = sum(first.values())
        for q in questions:
            marks.setdefault(q, []).append((int(first[q]), total))
        rows = [(q, first[q], START + timedelta(minutes=i)) for i, q in enumerate(questions)]
        # The lesson done again later: always right, not counted (first answers only).
        rows += [(q, True, START + timedelta(days=3, minutes=i)) for i, q in enumerate(questions)]
        async with database.begin() as connection:
            for q, right, moment in rows:
                nonce += 1
                await connection.execute(
                    insert(ATTEMPT).values(
                        learner_id=learner,
                        question_id=q,
                        mode="lesson",
                        chosen=pack.questions[q].question.correct if right else 9,
                        correct=right,
                        prompt_nonce=f"l{nonce}",
                        lesson_id=lesson.lesson.id,
                        answered_at=moment,
                    )
                )
    stats = await stats_of(sessions, pack, "A", source=qs.Source.LESSON, level=1)
    assert [q.question_id for q in stats] == questions
    for q in stats:
        s, facility, discrimination, efficiency = (
            len(marks[q.question_id]),
            *moodle(marks[q.question_id]),
        )
        assert (q.source, q.attempts) == (qs.Source.LESSON, s)
        assert close(q.facility, facility)
        assert close(q.discrimination, discrimination)
        assert close(q.efficiency, efficiency)
    assert await stats_of(sessions, pack, "A", source=qs.Source.EXAM) == []


async def test_organisers_see_their_subtree_only_and_views_are_audited(
    sessions: async_sessionmaker[AsyncSession],
    pack: Pack,
    tree: dict[str, Unit],
    attempts: list[Attempt],
) -> None:
    boss = await add_learner(sessions, unit=None, name="Tổ chức A2", created_at=START)
    await grant(sessions, boss, Role.ORGANISER, tree["A2"])
    async with sessions() as session, session.begin():
        actor = await load_actor(session, boss.id or 0)
        unit, stats = await qs.access_question_stats(session, actor, pack, None, NOW)
        assert unit is not None and unit.code == "A2"
        assert sum(q.attempts for q in stats) == sum(
            len(t.answers) for t in attempts if t.unit == "A2x"
        )
        with pytest.raises(Forbidden):
            await qs.access_question_stats(session, actor, pack, "A1", NOW)
    async with sessions() as session:
        entries = (await session.exec(select(AuditEntry))).all()
    assert [(e.action, e.actor_id, e.unit_id, e.details) for e in entries][-1] == (
        "questions.view",
        boss.id,
        tree["A2"].id,
        {"source": "exam", "questions": 6},
    )


async def test_the_cli_writes_the_analysis_as_csv_xlsx_and_a_table(
    database_url: str, attempts: list[Attempt], pack: Pack, tmp_path: Path
) -> None:
    result = await hocvuso(database_url, "report", "questions", "--level", "1", "--format", "csv")
    assert result.exit_code == 0, result.output
    table = list(csv.reader(io.StringIO(result.stdout)))
    header, rows = table[0], {line[0]: dict(zip(table[0], line, strict=True)) for line in table[1:]}
    assert header[:4] == ["Mã câu hỏi", "Cấp độ", "Lĩnh vực", "Số lượt trả lời"]
    want = expected(attempts, 1, {"A1", "A2x"})
    assert set(rows) == set(want)
    backwards = rows[BACKWARDS]
    assert float(backwards["Chỉ số phân biệt (%)"]) == pytest.approx(want[BACKWARDS][2], abs=0.05)
    assert "phân biệt âm" in backwards["Cảnh báo"]
    assert rows[EASY]["Chỉ số phân biệt (%)"] == ""
    book = tmp_path / "cau-hoi.xlsx"
    result = await hocvuso(database_url, "report", "questions", "--format", "xlsx", "-o", str(book))
    assert result.exit_code == 0, result.output
    sheet = openpyxl.load_workbook(book).active
    assert sheet is not None
    assert sheet.max_row == 1 + len(want) + len(pack.exam_pools[2])
    shown = await hocvuso(database_url, "report", "questions", "--level", "1")
    assert shown.exit_code == 0, shown.output
    assert BACKWARDS in shown.stdout
    bad = await hocvuso(database_url, "report", "questions", "--format", "pdf")
    assert bad.exit_code == 2
