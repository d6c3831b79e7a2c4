"""The shipped course meets the curriculum's requirements (levels, areas, roles, pools)."""

from __future__ import annotations

import pytest

from hocvuso.content.idlock import read_lock
from hocvuso.content.lint import lint_pack
from hocvuso.content.loader import SHIPPED_PACK, Pack, load_pack
from hocvuso.content.schema import ROLE_ALL, ROLES
from hocvuso.learning import course


@pytest.fixture(scope="module")
def core() -> Pack:
    return load_pack()


def test_the_shipped_pack_is_lint_clean() -> None:
    assert [str(p) for p in lint_pack(SHIPPED_PACK)] == []


@pytest.mark.parametrize("role", ROLES)
def test_each_role_at_level_one_gets_no_lesson_meant_only_for_another_role(
    core: Pack, role: str
) -> None:
    lessons = course.path(core, 1, role)
    assert len(lessons) >= 20
    foreign = [
        ref.lesson.id
        for ref in lessons
        if ROLE_ALL not in ref.lesson.roles and role not in ref.lesson.roles
    ]
    assert foreign == []


@pytest.mark.parametrize("role", ["deputy", "civil_servant", "council"])
def test_each_role_has_lessons_of_its_own_on_every_level(core: Pack, role: str) -> None:
    for level in core.levels:
        own = [ref for ref in course.path(core, level, role) if ROLE_ALL not in ref.lesson.roles]
        assert own, f"level {level} has no lesson for {role}"


def test_four_levels_by_six_areas_with_enough_lessons_and_questions(core: Pack) -> None:
    assert core.levels == [1, 2, 3, 4]
    assert len(core.header.areas) == 6
    for level in core.levels:
        for area in core.header.areas:
            lessons = [r for r in core.lessons_for(level) if r.area == area.id]
            assert len(lessons) >= 4, (level, area.id)
            assert all(len(r.lesson.questions) >= 4 for r in lessons)
        pool = core.exam_questions(level)
        assert len(pool) >= 40
        assert {core.questions[q].area for q in pool} == {a.id for a in core.header.areas}
    assert len(core.lessons) >= 96
    assert sum(1 for q in core.questions.values() if q.lesson_id) >= 384


def test_every_lesson_names_a_source_and_level_one_is_fully_translated(core: Pack) -> None:
    assert all(ref.lesson.sources for ref in core.lessons.values())
    english = core.translations["en"]
    level_one_lessons = {r.lesson.id for r in core.lessons_for(1)}
    level_one_questions = {q for q, ref in core.questions.items() if ref.level == 1}
    assert level_one_lessons <= set(english.lessons)
    assert level_one_questions <= set(english.questions)


def test_every_question_id_of_the_shipped_pack_is_locked(core: Pack) -> None:
    """New questions are locked (``hocvuso content lock``) before a release."""
    locked = read_lock(SHIPPED_PACK)
    assert locked is not None
    assert sorted(set(core.questions) - set(locked.entries)) == []
