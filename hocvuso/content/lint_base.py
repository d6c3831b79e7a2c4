"""The machinery behind ``hocvuso content lint``: the rule registry and what rules look at.

Rules read the *raw* YAML of every pack file (with its node tree, for line numbers) rather than
the validated models, so they still report on a file the schema rejected. Rules that need the
assembled pack (exam pool sizes) get it through :attr:`LintContext.pack` when the pack loads.

Add a rule with the :func:`rule` decorator::

    @rule("my-code", "what it catches")
    def _my_rule(ctx: LintContext) -> Iterator[Problem]:
        for q in ctx.questions():
            ...
            yield Problem(q.file.name, q.line(), "message")
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml

from hocvuso.content.cues import Item, item
from hocvuso.content.loader import (
    PACK_FILE,
    TRANSLATIONS_DIR,
    Pack,
    Problem,
    _line_of,
    _parse,
    _yaml_files,
)

Severity = Literal["error", "warning"]
Loc = tuple[str | int, ...]
Check = Callable[["LintContext"], Iterable[Problem]]


@dataclass(frozen=True)
class LintRule:
    code: str
    summary: str
    check: Check
    severity: Severity = "error"
    #: Loader (schema) messages this rule restates more clearly at the same file and line.
    replaces: re.Pattern[str] | None = None

    def format(self, message: str) -> str:
        prefix = "warning: " if self.severity == "warning" else ""
        return f"{prefix}{message} [{self.code}]"


RULES: dict[str, LintRule] = {}


def rule(
    code: str, summary: str, *, severity: Severity = "error", replaces: str | None = None
) -> Callable[[Check], Check]:
    """Register a lint rule under ``code``."""

    def register(check: Check) -> Check:
        if code in RULES:
            raise ValueError(f"lint rule {code!r} registered twice")
        pattern = re.compile(replaces) if replaces else None
        RULES[code] = LintRule(code, summary, check, severity, pattern)
        return check

    return register


# --- text helpers ---------------------------------------------------------------------------


def fold(text: str) -> str:
    """Casefolded, NFC-normalised text with single spaces."""
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def strip_marks(text: str) -> str:
    """Fold and drop Vietnamese diacritics ("Tất cả" -> "tat ca"), for forgiving matching."""
    decomposed = unicodedata.normalize("NFD", fold(text).replace("đ", "d"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def words(text: str) -> list[str]:
    return re.findall(r"\w+", fold(text))


# --- what rules look at ---------------------------------------------------------------------


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def as_text(value: Any) -> str:
    return value if isinstance(value, str) else ""


@dataclass(frozen=True)
class PackFile:
    name: str  # relative to the pack root, as the loader names it
    node: yaml.Node | None
    data: Any

    @property
    def kind(self) -> Literal["module", "exam", "translation", "other"]:
        if Path(self.name).parts[0] == TRANSLATIONS_DIR:
            return "translation"
        data = as_dict(self.data)
        if "exam" in data:
            return "exam"
        return "module" if "module" in data else "other"

    def line(self, loc: Loc = ()) -> int:
        return _line_of(self.node, loc)


@dataclass(frozen=True)
class LessonSite:
    file: PackFile
    loc: Loc
    data: dict[str, Any]

    @property
    def id(self) -> str:
        return str(self.data.get("id", "?"))

    def line(self, *sub: str | int) -> int:
        return self.file.line(self.loc + sub)


@dataclass(frozen=True)
class QuestionSite:
    file: PackFile
    loc: Loc
    data: dict[str, Any]
    lesson: LessonSite | None = None
    level: int | None = None

    @property
    def id(self) -> str:
        return str(self.data.get("id", "?"))

    @property
    def options(self) -> list[str]:
        return [str(option) for option in as_list(self.data.get("options"))]

    @property
    def correct(self) -> int | None:
        value = self.data.get("correct")
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    def line(self, *sub: str | int) -> int:
        return self.file.line(self.loc + sub)

    @property
    def place(self) -> str:
        return f"{self.file.name}:{self.line()}"

    def item(self) -> Item | None:
        """The question for :mod:`~hocvuso.content.cues`, or None if it is too broken to measure."""
        return item(self.id, as_text(self.data.get("text")), self.options, self.correct, self.place)


@dataclass
class LintContext:
    root: Path
    files: list[PackFile]
    pack: Pack | None = None
    header: PackFile | None = None

    @classmethod
    def read(cls, root: Path, pack: Pack | None = None) -> LintContext:
        problems: list[Problem] = []  # the loader reports parse errors already
        files = []
        header = None
        for path in _yaml_files(root):
            parsed = _parse(path, root, problems)
            if parsed is None:
                continue
            file = PackFile(str(path.relative_to(root)), parsed.node, parsed.data)
            if file.name == PACK_FILE:
                header = file
            else:
                files.append(file)
        return cls(root, files, pack, header)

    def of_kind(self, kind: str) -> Iterator[PackFile]:
        return (f for f in self.files if f.kind == kind)

    def lessons(self) -> Iterator[LessonSite]:
        for file in self.of_kind("module"):
            for i, lesson in enumerate(as_list(as_dict(file.data).get("lessons"))):
                if isinstance(lesson, dict):
                    yield LessonSite(file, ("lessons", i), lesson)

    def questions(self) -> Iterator[QuestionSite]:
        """Every question of every lesson and exam pool."""
        for lesson in self.lessons():
            module = as_dict(as_dict(lesson.file.data).get("module"))
            level = module.get("level") if isinstance(module.get("level"), int) else None
            for j, question in enumerate(as_list(lesson.data.get("questions"))):
                if isinstance(question, dict):
                    loc = (*lesson.loc, "questions", j)
                    yield QuestionSite(lesson.file, loc, question, lesson, level)
        for file in self.of_kind("exam"):
            exam = as_dict(as_dict(file.data).get("exam"))
            level = exam.get("level") if isinstance(exam.get("level"), int) else None
            for j, question in enumerate(as_list(exam.get("questions"))):
                if isinstance(question, dict):
                    yield QuestionSite(file, ("exam", "questions", j), question, None, level)

    def translated_questions(self) -> Iterator[QuestionSite]:
        """Question overlays of ``i18n/`` files (text, options, explanation; no ``correct``)."""
        for file in self.of_kind("translation"):
            for qid, text in as_dict(as_dict(file.data).get("questions")).items():
                if isinstance(text, dict):
                    yield QuestionSite(file, ("questions", qid), {"id": qid, **text})

    def translated_lessons(self) -> Iterator[LessonSite]:
        for file in self.of_kind("translation"):
            for lid, text in as_dict(as_dict(file.data).get("lessons")).items():
                if isinstance(text, dict):
                    yield LessonSite(file, ("lessons", lid), {"id": lid, **text})

    def sources(self) -> Iterator[SourceSite]:
        """Every source cited by a lesson or by a question (lesson or exam)."""
        owners: list[tuple[str, PackFile, Loc, dict[str, Any]]] = [
            (f"lesson {lesson.id!r}", lesson.file, lesson.loc, lesson.data)
            for lesson in self.lessons()
        ]
        owners += [(f"question {q.id!r}", q.file, q.loc, q.data) for q in self.questions()]
        for owner, file, loc, data in owners:
            for k, source in enumerate(as_list(data.get("sources"))):
                if isinstance(source, dict):
                    yield SourceSite(file, (*loc, "sources", k), source, owner)


@dataclass(frozen=True)
class SourceSite:
    file: PackFile
    loc: Loc
    data: dict[str, Any]
    owner: str  # "lesson 'id'" or "question 'id'", for messages

    @property
    def url(self) -> str:
        return as_text(self.data.get("url"))

    def line(self, *sub: str | int) -> int:
        return self.file.line(self.loc + sub)
