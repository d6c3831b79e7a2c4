"""The course as a learner walks it: paths by role and level, placement, exam draws.

Pure functions of the content pack and what the learner has done; no storage, no transport.
"""

from __future__ import annotations

import random
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from hocvuso.content.loader import LessonRef, Pack

#: Questions asked after a lesson ("two or three quiz questions").
QUESTIONS_PER_LESSON = 3
#: Placement asks this many questions per competence area.
PLACEMENT_PER_AREA = 2


def path(pack: Pack, level: int, role: str) -> list[LessonRef]:
    """The lessons a learner of this role takes at this level, in order ("đúng vai, sát việc")."""
    return pack.lessons_for(level, role)


def next_lesson(pack: Pack, level: int, role: str, finished: Collection[str]) -> LessonRef | None:
    """The first lesson on the path not yet done or placed out of."""
    return next((ref for ref in path(pack, level, role) if ref.lesson.id not in finished), None)


@dataclass(frozen=True)
class PathProgress:
    done: int
    total: int

    @property
    def ratio(self) -> float:
        return self.done / self.total if self.total else 1.0


def path_progress(pack: Pack, level: int, role: str, finished: Collection[str]) -> PathProgress:
    lessons = path(pack, level, role)
    return PathProgress(sum(ref.lesson.id in finished for ref in lessons), len(lessons))


def lesson_quiz(pack: Pack, lesson_id: str, rng: random.Random) -> list[str]:
    questions = [q.id for q in pack.lessons[lesson_id].lesson.questions]
    if len(questions) <= QUESTIONS_PER_LESSON:
        return questions
    return rng.sample(questions, QUESTIONS_PER_LESSON)


def placement_questions(pack: Pack, level: int, role: str, rng: random.Random) -> list[str]:
    """A short quiz across the areas: a few questions of each area on the learner's path."""
    chosen: list[str] = []
    for area in pack.header.areas:
        pool = [
            q.id
            for ref in path(pack, level, role)
            if ref.area == area.id
            for q in ref.lesson.questions
        ]
        chosen.extend(rng.sample(pool, min(PLACEMENT_PER_AREA, len(pool))))
    return chosen


def mastered_areas(pack: Pack, answers: Mapping[str, bool]) -> set[str]:
    """Areas where every placement question was answered correctly."""
    by_area: dict[str, list[bool]] = {}
    for question_id, correct in answers.items():
        ref = pack.questions.get(question_id)
        if ref is not None:
            by_area.setdefault(ref.area, []).append(correct)
    return {area for area, results in by_area.items() if results and all(results)}


def exam_questions(pack: Pack, level: int, rng: random.Random) -> list[str]:
    """Draw a level exam: spread across the areas, from the exam pool first."""
    info = pack.level_info(level)
    size = info.exam.size if info else 10
    by_area: dict[str, list[str]] = {}
    for question_id in pack.exam_questions(level):
        by_area.setdefault(pack.questions[question_id].area, []).append(question_id)
    if sum(len(v) for v in by_area.values()) < size:  # a small pack: lesson questions help out
        for question_id in pack.lesson_questions(level):
            by_area.setdefault(pack.questions[question_id].area, []).append(question_id)
    for pool in by_area.values():
        rng.shuffle(pool)
    drawn: list[str] = []
    areas = [a for a in sorted(by_area, key=lambda a: pack.area_order.get(a, 99)) if by_area[a]]
    while len(drawn) < size and areas:
        for area in list(areas):
            if len(drawn) == size:
                break
            if by_area[area]:
                drawn.append(by_area[area].pop())
            else:
                areas.remove(area)
    rng.shuffle(drawn)
    return drawn


def pass_mark(pack: Pack, level: int, total: int) -> int:
    """The number of correct answers needed to pass (80% by default, rounded up)."""
    info = pack.level_info(level)
    ratio = info.exam.pass_ratio if info else 0.8
    needed = ratio * total
    return int(needed) if needed == int(needed) else int(needed) + 1


def progress_bar(ratio: float, width: int = 10) -> str:
    ratio = min(max(ratio, 0.0), 1.0)
    filled = round(ratio * width)
    return "▓" * filled + "░" * (width - filled) + f" {round(ratio * 100)}%"
