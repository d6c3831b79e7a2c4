"""The built-in lint rules. Each is registered in :data:`hocvuso.content.lint_base.RULES`.

Duplicate ids are not here: the loader reports them (with the place of the first use).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from hocvuso.content.cues import is_homepage
from hocvuso.content.lint_base import (
    LessonSite,
    LintContext,
    QuestionSite,
    as_list,
    as_text,
    fold,
    rule,
    strip_marks,
    words,
)
from hocvuso.content.loader import PACK_FILE, Problem
from hocvuso.content.schema import (
    BODY_CHARS_MAX,
    EXPLANATION_MAX,
    OPTION_MAX,
    OPTIONS_MAX,
    OPTIONS_MIN,
    QUESTION_MAX,
    READING_MINUTES_MAX,
    READING_WORDS_PER_MINUTE,
)

# --- give-away by length --------------------------------------------------------------------

#: The correct option gives itself away when it is this many times as long as every other one...
GIVEAWAY_RATIO = 1.5
#: ...and at least this many characters longer (so "Có" vs "Không" never counts).
GIVEAWAY_CHARS = 20


@rule("answer-length", "the correct option is much longer than every other option")
def _answer_length(ctx: LintContext) -> Iterator[Problem]:
    for q in ctx.questions():
        options, correct = q.options, q.correct
        if correct is None or not 0 <= correct < len(options) or len(options) < 2:
            continue
        right = len(options[correct].strip())
        longest = max(len(o.strip()) for i, o in enumerate(options) if i != correct)
        if right >= GIVEAWAY_RATIO * longest and right - longest >= GIVEAWAY_CHARS:
            yield Problem(
                q.file.name,
                q.line("options", correct),
                f"question {q.id!r}: the correct option is much longer than the others "
                f"({right} characters, the longest other has {longest}); learners can guess "
                "it without knowing the answer — make the options similar in length",
            )


# --- catch-all options ----------------------------------------------------------------------

_CATCH_ALL = re.compile(
    "|".join(
        (
            # Vietnamese, matched without diacritics ("Tất cả các đáp án trên" -> "tat ca ...")
            r"\btat ca (cac )?(dap an|phuong an|y|cau tra loi|cau|lua chon)\b",
            r"\btat ca (deu |cung )?(dung|sai)\b",
            r"\btat ca (cac )?(y |dieu |dap an )?(tren|ke tren|neu tren)\b",
            r"\bcac (dap an|phuong an|y|lua chon|cau) (tren|ke tren|neu tren)\b",
            r"\bca [a-l]( ?, ?[a-l])* (va|lan) [a-l]\b",
            r"\bca (hai|ba|bon|2|3|4) (dap an|phuong an|y|cau|lua chon|deu|tren)\b",
            r"\bkhong (co )?(dap an|phuong an|y|cau tra loi|cau|lua chon) nao\b",
            r"\b(deu|dieu) (dung|sai) ca\b",
            # English
            r"\b(all|none|neither|both) of (the )?(above|these|them|those)\b",
            r"\ball (the )?above\b",
            r"\bboth [a-l] and [a-l]\b",
            r"\bneither [a-l] nor [a-l]\b",
            r"\ball (the )?(answers|options|choices) (above |here )?(are )?(correct|true|right)\b",
        )
    )
)


def is_catch_all(option: str) -> bool:
    """True for "all of the above", "cả A và B", "không có đáp án nào đúng" and the like."""
    text = re.sub(r"[^\w\s,]", " ", strip_marks(option))
    return bool(_CATCH_ALL.search(" ".join(text.split())))


@rule("catch-all-option", "an 'all of the above' / 'none of the above' style option")
def _catch_all(ctx: LintContext) -> Iterator[Problem]:
    for q in (*ctx.questions(), *ctx.translated_questions()):
        for k, option in enumerate(q.options):
            if is_catch_all(option):
                yield Problem(
                    q.file.name,
                    q.line("options", k),
                    f"question {q.id!r}: option {k + 1} ({option.strip()!r}) is an "
                    "all/none-of-the-above option; it tests test-taking rather than knowledge "
                    "and breaks when options are shuffled — write a real alternative",
                )


# --- Telegram limits ------------------------------------------------------------------------

#: Telegram accepts at most this many line breaks in a quiz explanation.
EXPLANATION_LINE_BREAKS_MAX = 2


def _too_long(q: QuestionSite, field: str, what: str, limit: int, where: str) -> Problem | None:
    text = as_text(q.data.get(field))
    if len(text) <= limit:
        return None
    return Problem(
        q.file.name,
        q.line(field),
        f"question {q.id!r}: the {what} is {len(text)} characters; Telegram {where} at most "
        f"{limit} — shorten it by {len(text) - limit}",
    )


@rule(
    "telegram-limits",
    "question text, options or explanation over what a Telegram quiz poll accepts",
    replaces=r"(text|explanation|options(\.\d+)?): "
    r"(String should have at most|List should have at (most|least))",
)
def _telegram_limits(ctx: LintContext) -> Iterator[Problem]:
    for q in (*ctx.questions(), *ctx.translated_questions()):
        yield from filter(
            None,
            (
                _too_long(q, "text", "question text", QUESTION_MAX, "allows a quiz question"),
                _too_long(
                    q, "explanation", "explanation", EXPLANATION_MAX, "shows an explanation of"
                ),
            ),
        )
        breaks = as_text(q.data.get("explanation")).strip().count("\n")
        if breaks > EXPLANATION_LINE_BREAKS_MAX:
            yield Problem(
                q.file.name,
                q.line("explanation"),
                f"question {q.id!r}: the explanation has {breaks} line breaks; Telegram quiz "
                f"explanations allow at most {EXPLANATION_LINE_BREAKS_MAX}",
            )
        options = as_list(q.data.get("options"))
        if q.file.kind != "translation":  # a translation may leave the options as they are
            if not OPTIONS_MIN <= len(options) <= OPTIONS_MAX:
                yield Problem(
                    q.file.name,
                    q.line("options"),
                    f"question {q.id!r} has {len(options)} options; a Telegram quiz poll takes "
                    f"{OPTIONS_MIN} to {OPTIONS_MAX}",
                )
        for k, option in enumerate(q.options):
            if len(option) > OPTION_MAX:
                yield Problem(
                    q.file.name,
                    q.line("options", k),
                    f"question {q.id!r}: option {k + 1} is {len(option)} characters; Telegram "
                    f"poll options and buttons allow at most {OPTION_MAX} — shorten it by "
                    f"{len(option) - OPTION_MAX}",
                )


# --- lessons --------------------------------------------------------------------------------


@rule(
    "lesson-source",
    "a lesson that cites no source",
    replaces=r"sources: (Field required|List should have at least)",
)
def _lesson_source(ctx: LintContext) -> Iterator[Problem]:
    for lesson in ctx.lessons():
        if not as_list(lesson.data.get("sources")):
            yield Problem(
                lesson.file.name,
                lesson.line("sources"),
                f"lesson {lesson.id!r} cites no source: add at least one 'sources:' entry "
                "(title and url) so learners and reviewers can check what it teaches",
            )


@rule(
    "reading-time",
    "a lesson too long to read in one short sitting or to send as one message",
    replaces=r"body: (takes .* minutes to read|String should have at most)",
)
def _reading_time(ctx: LintContext) -> Iterator[Problem]:
    budget = int(READING_MINUTES_MAX * READING_WORDS_PER_MINUTE)
    for lesson in (*ctx.lessons(), *ctx.translated_lessons()):
        body = as_text(lesson.data.get("body"))
        count = len(words(body))
        if count > budget:
            yield Problem(
                lesson.file.name,
                lesson.line("body"),
                f"lesson {lesson.id!r} takes about {count / READING_WORDS_PER_MINUTE:.1f} "
                f"minutes to read ({count} words at {READING_WORDS_PER_MINUTE} a minute); a "
                f"micro-lesson must read in under {READING_MINUTES_MAX:g} — cut about "
                f"{count - budget} words or split it into two lessons",
            )
        if len(body) > BODY_CHARS_MAX:
            yield Problem(
                lesson.file.name,
                lesson.line("body"),
                f"lesson {lesson.id!r}: the body is {len(body)} characters; a lesson is sent as "
                f"one Telegram message and must stay within {BODY_CHARS_MAX} — cut "
                f"{len(body) - BODY_CHARS_MAX}",
            )


@rule("source-unchecked", "a source without the date someone checked that it supports the text")
def _source_unchecked(ctx: LintContext) -> Iterator[Problem]:
    for source in ctx.sources():
        if source.data.get("checked") is None:
            yield Problem(
                source.file.name,
                source.line(),
                f"{source.owner}: the source {source.url or '?'} has no 'checked:' date; read "
                "the page, make sure it supports the text, then add e.g. 'checked: 2026-12-01'",
            )


@rule("source-homepage", "a source that links a site's front page instead of a document")
def _source_homepage(ctx: LintContext) -> Iterator[Problem]:
    for source in ctx.sources():
        if source.url and is_homepage(source.url):
            yield Problem(
                source.file.name,
                source.line("url"),
                f"{source.owner}: the source {source.url} is a homepage; link the page where a "
                "reader finds the sentence it supports (the document, the article, the help page)",
            )


#: A lesson needs this many questions before "always the same position" means anything.
SAME_INDEX_MIN_QUESTIONS = 3


@rule(
    "same-correct-index",
    "every question of a lesson has its correct answer at the same position",
    severity="warning",
)
def _same_correct_index(ctx: LintContext) -> Iterator[Problem]:
    by_lesson: dict[tuple[str, str | int], list[int | None]] = {}
    sites: dict[tuple[str, str | int], LessonSite] = {}
    for q in ctx.questions():
        if q.lesson is not None:
            key = (q.file.name, q.lesson.loc[-1])
            by_lesson.setdefault(key, []).append(q.correct)
            sites[key] = q.lesson
    for key, indexes in by_lesson.items():
        if len(indexes) >= SAME_INDEX_MIN_QUESTIONS and len(set(indexes)) == 1:
            if indexes[0] is None:
                continue
            lesson = sites[key]
            yield Problem(
                lesson.file.name,
                lesson.line(),
                f"lesson {lesson.id!r}: all {len(indexes)} questions have the correct answer at "
                f"option {indexes[0] + 1}; vary its position so learners cannot spot a pattern",
            )


# --- explanations ---------------------------------------------------------------------------

_VERDICTS = {"sai", "đúng", "dung", "chính", "incorrect", "correct", "wrong", "right", "true"}
_VERDICTS |= {"false", "yes", "no"}
_FILLER = set(
    "rồi roi không khong đáp án câu trả lời bạn đã là phương này đó đấy đây vậy thế ơi nhé ạ "
    "rất tốt giỏi lắm quá hoàn toàn chưa hẳn xác "
    "the answer is that s this your you are not well done good great sorry oops exactly "
    "indeed quite very it was".split()
)


def is_verdict_only(explanation: str) -> bool:
    """True for "Sai.", "Đúng rồi!", "Incorrect", "Đáp án đúng là B" — nothing is taught."""
    tokens = words(explanation)
    if not tokens or not any(t in _VERDICTS for t in tokens):
        return False
    return all(t in _VERDICTS or t in _FILLER or len(t) == 1 or t.isdigit() for t in tokens)


@rule("explanation-verdict", "an explanation that only says right or wrong")
def _explanation_verdict(ctx: LintContext) -> Iterator[Problem]:
    for q in (*ctx.questions(), *ctx.translated_questions()):
        explanation = as_text(q.data.get("explanation"))
        if is_verdict_only(explanation):
            yield Problem(
                q.file.name,
                q.line("explanation"),
                f"question {q.id!r}: the explanation {fold(explanation)!r} only gives the verdict; "
                "say why the right answer is right — it is what the learner reads after answering",
            )


# --- exam pools -----------------------------------------------------------------------------

#: Every level's exam pool needs at least this many questions, and twice the exam size.
EXAM_POOL_MIN = 40


def exam_pool_needed(exam_size: int) -> int:
    return max(EXAM_POOL_MIN, 2 * exam_size)


@rule("exam-pool", "a level's exam pool too small to draw varied exams, or missing an area")
def _exam_pool(ctx: LintContext) -> Iterator[Problem]:
    pack = ctx.pack
    if pack is None or ctx.header is None:
        return
    areas = [area.id for area in pack.header.areas]
    for i, info in enumerate(pack.header.levels):
        line = ctx.header.line(("levels", i))
        pool = pack.exam_questions(info.level)
        needed = exam_pool_needed(info.exam.size)
        if len(pool) < needed:
            yield Problem(
                PACK_FILE,
                line,
                f"level {info.level}: the exam pool has {len(pool)} questions; an exam of "
                f"{info.exam.size} needs at least {needed} "
                f"(max({EXAM_POOL_MIN}, 2 × exam size)) so retakes are not the same exam",
            )
        covered = {pack.questions[qid].area for qid in pool}
        missing = [area for area in areas if area not in covered]
        if missing:
            yield Problem(
                PACK_FILE,
                line,
                f"level {info.level}: the exam pool has no question on area(s) "
                f"{', '.join(missing)}; every area of the framework must be examined",
            )
