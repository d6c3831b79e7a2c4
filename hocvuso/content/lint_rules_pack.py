"""Lint rules that look across a level or the whole pack: give-aways by option length, questions
asked twice, titles and distractors reused, and question ids whose meaning changed.

The measures themselves are in :mod:`hocvuso.content.cues` (shared with ``content stats``) and
the id lock in :mod:`hocvuso.content.idlock`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from hocvuso.content import cues
from hocvuso.content.idlock import LOCK_FILE, fingerprint, read_lock
from hocvuso.content.lint_base import (
    LessonSite,
    LintContext,
    QuestionSite,
    as_dict,
    as_text,
    rule,
)
from hocvuso.content.loader import PACK_FILE, Problem


def _measurable(ctx: LintContext) -> list[tuple[QuestionSite, cues.Item]]:
    found = []
    for site in ctx.questions():
        question = site.item()
        if question is not None:
            found.append((site, question))
    return found


# --- length cue -----------------------------------------------------------------------------

#: Below this many questions one question moves a level's score by more than the tolerance,
#: so the level figures are not judged (a pack that small is a test sample, not a course).
LEVEL_CUE_MIN_QUESTIONS = 20
#: A lesson needs this many questions before its own length cue is judged.
LESSON_CUE_MIN_QUESTIONS = 3


def _level_place(ctx: LintContext, level: int) -> tuple[str, int]:
    """The level's (first) exam file at its ``level:`` line, else the level in pack.yaml."""
    for file in ctx.of_kind("exam"):
        if as_dict(as_dict(file.data).get("exam")).get("level") == level:
            return file.name, file.line(("exam", "level"))
    if ctx.header is not None:
        levels = as_dict(ctx.header.data).get("levels")
        for i, info in enumerate(levels if isinstance(levels, list) else []):
            if as_dict(info).get("level") == level:
                return PACK_FILE, ctx.header.line(("levels", i))
    return PACK_FILE, 1


@rule("length-cue", "picking the longest (or second-longest) option beats chance")
def _length_cue(ctx: LintContext) -> Iterator[Problem]:
    by_level: dict[int, list[cues.Item]] = defaultdict(list)
    by_lesson: dict[tuple[str, str | int], list[cues.Item]] = defaultdict(list)
    lessons: dict[tuple[str, str | int], LessonSite] = {}
    for site, question in _measurable(ctx):
        if site.level is not None:
            by_level[site.level].append(question)
        if site.lesson is not None:
            key = (site.file.name, site.lesson.loc[-1])
            by_lesson[key].append(question)
            lessons[key] = site.lesson
    tolerance = cues.LENGTH_CUE_TOLERANCE
    for level, questions in sorted(by_level.items()):
        cue = cues.length_cue(questions)
        if cue.questions < LEVEL_CUE_MIN_QUESTIONS or cue.ok:
            continue
        file, line = _level_place(ctx, level)
        yield Problem(
            file,
            line,
            f"level {level}: over its {cue.questions} lesson and exam questions, picking the "
            f"longest option scores {cue.longest:.2f} and the second-longest {cue.second:.2f}; "
            f"both must be within {tolerance:.2f} of chance ({cue.chance:.2f}) — make the "
            "options of a question similar in length and vary which one is right "
            "(see 'hocvuso content stats')",
        )
    for key, questions in by_lesson.items():
        n = len(questions)
        if n < LESSON_CUE_MIN_QUESTIONS:
            continue
        longest = sum(map(cues.uniquely_longest, questions))
        shortest = sum(map(cues.uniquely_shortest, questions))
        for count, what in ((longest, "longest"), (shortest, "shortest")):
            if 2 * count > n:
                lesson = lessons[key]
                yield Problem(
                    lesson.file.name,
                    lesson.line(),
                    f"lesson {lesson.id!r}: the correct option is the uniquely {what} in "
                    f"{count} of its {n} questions; a learner can answer by length — even out "
                    "the option lengths",
                )


# --- questions asked twice ------------------------------------------------------------------


@rule("near-duplicate", "two questions of the pack that ask the same thing")
def _near_duplicate(ctx: LintContext) -> Iterator[Problem]:
    measured = _measurable(ctx)
    sites = {id(question): site for site, question in measured}
    for pair in cues.near_duplicates(question for _, question in measured):
        for this, other in ((pair.first, pair.second), (pair.second, pair.first)):
            site = sites[id(this)]
            yield Problem(
                site.file.name,
                site.line(),
                f"question {this.id!r} asks the same as {other.id!r} ({other.place}): "
                f"{pair.reason}; ask each point once in the pack — drop one, or make it "
                "a different question (a new id)",
            )


@rule("title-reused", "two lessons with the same title")
def _title_reused(ctx: LintContext) -> Iterator[Problem]:
    by_title: dict[str, list[tuple[LessonSite, object]]] = defaultdict(list)
    for lesson in ctx.lessons():
        title = cues.normalise(as_text(lesson.data.get("title")))
        if title:
            level = as_dict(as_dict(lesson.file.data).get("module")).get("level")
            by_title[title].append((lesson, level))
    for uses in by_title.values():
        if len(uses) < 2:
            continue
        for lesson, level in uses:
            others = ", ".join(
                f"{o.id!r} (level {lv}, {o.file.name}:{o.line()})"
                for o, lv in uses
                if o is not lesson
            )
            yield Problem(
                lesson.file.name,
                lesson.line("title"),
                f"lesson {lesson.id!r} (level {level}) has the same title as {others}; give each "
                "lesson a title of its own, saying what this level adds",
            )


@rule("distractor-repeated", "the same wrong option in more than two questions of the pack")
def _distractor_repeated(ctx: LintContext) -> Iterator[Problem]:
    measured = _measurable(ctx)
    sites = {id(question): site for site, question in measured}
    for uses in cues.repeated_distractors(question for _, question in measured).values():
        ids = ", ".join(question.id for question, _ in uses)
        for question, k in uses:
            site = sites[id(question)]
            yield Problem(
                site.file.name,
                site.line("options", k),
                f"question {question.id!r}: the wrong option {question.options[k].strip()!r} "
                f"is used in {len(uses)} questions ({ids}); at most "
                f"{cues.DISTRACTOR_REUSE_MAX} — write a mistake specific to this question",
            )


# --- stable question ids --------------------------------------------------------------------


@rule("question-id-changed", "a locked question id now asks something else")
def _question_id_changed(ctx: LintContext) -> Iterator[Problem]:
    lock = read_lock(ctx.root)
    if lock is None:
        return
    for line, message in lock.errors:
        yield Problem(LOCK_FILE, line, message)
    for site, question in _measurable(ctx):
        locked = lock.get(question.id)
        if locked is None:
            continue
        if fingerprint(question.text, question.options, question.correct) != locked:
            yield Problem(
                site.file.name,
                site.line("id"),
                f"question {question.id!r}: its text, options or answer differ from what the "
                f"locked id asked ({LOCK_FILE} line {lock.entries[question.id].line}); "
                f"attempts on the old question would count for this one — give it a new id "
                f"(e.g. {question.id}-v2), or restore the old wording",
            )
