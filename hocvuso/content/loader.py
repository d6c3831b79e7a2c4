"""Load a content pack from YAML files into an indexed, immutable :class:`Pack`.

Every problem is reported with its file and line (``Problem``), so ``hocvuso content lint`` can
point an author at the exact place. Loading never stops at the first problem.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from hocvuso.content.schema import (
    ExamFile,
    Lesson,
    LevelInfo,
    ModuleFile,
    ModuleHeader,
    PackHeader,
    Question,
    Translation,
)

SHIPPED_PACK = Path(__file__).parent / "packs" / "core"
PACK_FILE = "pack.yaml"
TRANSLATIONS_DIR = "i18n"
M = TypeVar("M", bound=BaseModel)
#: libyaml's parser when PyYAML was built with it (ten times faster on a full pack).
_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True, order=True)
class Problem:
    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class PackError(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems[:20]))


def _node_at(node: yaml.Node, loc: Iterable[Any]) -> yaml.Node:
    """Follow a pydantic error location through the YAML node tree, as far as it goes."""
    for key in loc:
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                if getattr(k, "value", None) == key:
                    node = v
                    break
            else:
                return node
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int):
            if key >= len(node.value):
                return node
            node = node.value[key]
        else:
            return node
    return node


def _line_of(node: yaml.Node | None, loc: Iterable[Any] = ()) -> int:
    if node is None:
        return 1
    return _node_at(node, loc).start_mark.line + 1


def _describe(error: ErrorDetails) -> str:
    where = ".".join(str(part) for part in error["loc"] if not str(part).startswith("function-"))
    message = error["msg"].removeprefix("Value error, ")
    return f"{where}: {message}" if where else message


@dataclass
class _Parsed:
    path: Path
    node: yaml.Node | None
    data: Any


def _parse(path: Path, root: Path, problems: list[Problem]) -> _Parsed | None:
    name = str(path.relative_to(root))
    try:
        text = path.read_text(encoding="utf-8")
        node = yaml.compose(text, Loader=_Loader)
        data = yaml.load(text, Loader=_Loader)
    except UnicodeDecodeError:
        problems.append(Problem(name, 1, "not UTF-8 text"))
        return None
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else 1
        problems.append(Problem(name, line, f"YAML syntax: {exc.problem}"))
        return None
    return _Parsed(path, node, data)


def _validate(model: type[M], parsed: _Parsed, name: str, problems: list[Problem]) -> M | None:
    try:
        return model.model_validate(parsed.data)
    except ValidationError as exc:
        for error in exc.errors():
            problems.append(Problem(name, _line_of(parsed.node, error["loc"]), _describe(error)))
        return None


@dataclass(frozen=True)
class LessonRef:
    lesson: Lesson
    module: ModuleHeader
    file: str

    @property
    def level(self) -> int:
        return self.module.level

    @property
    def area(self) -> str:
        return self.module.area


@dataclass(frozen=True)
class QuestionRef:
    question: Question
    level: int
    area: str
    lesson_id: str | None  # None for exam-pool questions
    file: str


@dataclass
class Pack:
    header: PackHeader
    modules: list[ModuleHeader] = field(default_factory=list)
    lessons: dict[str, LessonRef] = field(default_factory=dict)
    questions: dict[str, QuestionRef] = field(default_factory=dict)
    exam_pools: dict[int, list[str]] = field(default_factory=dict)
    translations: dict[str, Translation] = field(default_factory=dict)
    #: The learners' paths, built once per level and role (:meth:`lessons_for`).
    _paths: dict[tuple[int, str | None, int], tuple[LessonRef, ...]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    @cached_property
    def area_order(self) -> dict[str, int]:
        return {area.id: i for i, area in enumerate(self.header.areas)}

    def level_info(self, level: int) -> LevelInfo | None:
        return next((info for info in self.header.levels if info.level == level), None)

    @property
    def levels(self) -> list[int]:
        return sorted(info.level for info in self.header.levels)

    def lessons_for(self, level: int, role: str | None = None) -> list[LessonRef]:
        """The lessons of a level in teaching order: by area, then as written."""
        key = (level, role, len(self.lessons))
        path = self._paths.get(key)
        if path is None:
            refs = [ref for ref in self.lessons.values() if ref.level == level]
            if role is not None:
                refs = [ref for ref in refs if ref.lesson.fits(role)]
            path = self._paths[key] = tuple(
                sorted(refs, key=lambda ref: self.area_order.get(ref.area, 99))
            )
        return list(path)

    def exam_questions(self, level: int) -> list[str]:
        return list(self.exam_pools.get(level, []))

    def lesson_questions(self, level: int, area: str | None = None) -> list[str]:
        return [
            q.question.id
            for q in self.questions.values()
            if q.level == level and q.lesson_id and (area is None or q.area == area)
        ]

    # --- translated views ----------------------------------------------------------------
    def _overlay(self, language: str) -> Translation | None:
        if language == self.header.language:
            return None
        return self.translations.get(language)

    def lesson_text(self, lesson_id: str, language: str) -> tuple[str, str]:
        lesson = self.lessons[lesson_id].lesson
        overlay = self._overlay(language)
        text = overlay.lessons.get(lesson_id) if overlay else None
        return (
            (text.title if text and text.title else lesson.title),
            (text.body if text and text.body else lesson.body),
        )

    def question_text(self, question_id: str, language: str) -> tuple[str, list[str], str]:
        question = self.questions[question_id].question
        overlay = self._overlay(language)
        text = overlay.questions.get(question_id) if overlay else None
        options = question.options
        if text and text.options and len(text.options) == len(question.options):
            options = text.options
        return (
            (text.text if text and text.text else question.text),
            list(options),
            (text.explanation if text and text.explanation else question.explanation),
        )

    def area_title(self, area_id: str, language: str) -> str:
        for area in self.header.areas:
            if area.id == area_id:
                return area.title.get(language)
        return area_id

    def level_title(self, level: int, language: str) -> str:
        info = self.level_info(level)
        return info.title.get(language) if info else str(level)


def _yaml_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*.y*ml") if p.suffix in {".yaml", ".yml"})


def collect(root: Path) -> tuple[Pack | None, list[Problem]]:
    """Load a pack and return it with every problem found (pack is None if unusable)."""
    problems: list[Problem] = []
    root = root.resolve()
    if root.is_file():
        root = root.parent
    if not (root / PACK_FILE).exists():
        return None, [Problem(str(root), 1, f"no {PACK_FILE} here: not a content pack")]

    parsed_header = _parse(root / PACK_FILE, root, problems)
    header = _validate(PackHeader, parsed_header, PACK_FILE, problems) if parsed_header else None
    if header is None:
        return None, sorted(problems)
    pack = Pack(header=header)
    area_ids = {area.id for area in header.areas}
    levels = {info.level for info in header.levels}
    seen: dict[str, str] = {}  # id -> "file:line" of its first use

    def claim(kind: str, ident: str, name: str, line: int) -> bool:
        key = f"{kind}:{ident}"
        if key in seen:
            problems.append(
                Problem(name, line, f"duplicate {kind} id {ident!r} (first at {seen[key]})")
            )
            return False
        seen[key] = f"{name}:{line}"
        return True

    for path in _yaml_files(root):
        name = str(path.relative_to(root))
        if path.name == PACK_FILE and path.parent == root:
            continue
        if path.relative_to(root).parts[0] == TRANSLATIONS_DIR:
            continue
        parsed = _parse(path, root, problems)
        if parsed is None:
            continue
        if not isinstance(parsed.data, dict) or not ({"module", "exam"} & parsed.data.keys()):
            problems.append(Problem(name, 1, "a pack file holds either 'module:' or 'exam:'"))
            continue
        if "exam" in parsed.data:
            exam = _validate(ExamFile, parsed, name, problems)
            if exam is None:
                continue
            if exam.exam.level not in levels:
                line = _line_of(parsed.node, ("exam", "level"))
                problems.append(Problem(name, line, f"level {exam.exam.level} is not in pack.yaml"))
            for i, question in enumerate(exam.exam.questions):
                line = _line_of(parsed.node, ("exam", "questions", i))
                if question.area not in area_ids:
                    problems.append(Problem(name, line, f"unknown area {question.area!r}"))
                if claim("question", question.id, name, line):
                    pack.questions[question.id] = QuestionRef(
                        question, exam.exam.level, question.area or "", None, name
                    )
                    pack.exam_pools.setdefault(exam.exam.level, []).append(question.id)
            continue
        module_file = _validate(ModuleFile, parsed, name, problems)
        if module_file is None:
            continue
        module = module_file.module
        if module.area not in area_ids:
            line = _line_of(parsed.node, ("module", "area"))
            problems.append(Problem(name, line, f"unknown area {module.area!r}"))
        if module.level not in levels:
            line = _line_of(parsed.node, ("module", "level"))
            problems.append(Problem(name, line, f"level {module.level} is not in pack.yaml"))
        if not claim("module", module.id, name, _line_of(parsed.node, ("module",))):
            continue
        pack.modules.append(module)
        for i, lesson in enumerate(module_file.lessons):
            line = _line_of(parsed.node, ("lessons", i))
            if not claim("lesson", lesson.id, name, line):
                continue
            pack.lessons[lesson.id] = LessonRef(lesson, module, name)
            for j, question in enumerate(lesson.questions):
                qline = _line_of(parsed.node, ("lessons", i, "questions", j))
                if claim("question", question.id, name, qline):
                    pack.questions[question.id] = QuestionRef(
                        question, module.level, module.area, lesson.id, name
                    )

    translations_root = root / TRANSLATIONS_DIR
    if translations_root.is_dir():
        for path in _yaml_files(translations_root):
            name = str(path.relative_to(root))
            parsed = _parse(path, root, problems)
            if parsed is None:
                continue
            overlay = _validate(Translation, parsed, name, problems)
            if overlay is None:
                continue
            for kind, ids, known in (
                ("lesson", overlay.lessons, pack.lessons),
                ("question", overlay.questions, pack.questions),
            ):
                for ident in ids:
                    if ident not in known:
                        line = _line_of(parsed.node, (f"{kind}s", ident))
                        problems.append(Problem(name, line, f"translates unknown {kind} {ident!r}"))
            for qid, text in overlay.questions.items():
                if text.options and qid in pack.questions:
                    if len(text.options) != len(pack.questions[qid].question.options):
                        line = _line_of(parsed.node, ("questions", qid, "options"))
                        problems.append(Problem(name, line, "option count differs from original"))
            merged = pack.translations.get(overlay.language)
            if merged is None:
                pack.translations[overlay.language] = overlay
            else:
                pack.translations[overlay.language] = Translation(
                    language=overlay.language,
                    modules={**merged.modules, **overlay.modules},
                    lessons={**merged.lessons, **overlay.lessons},
                    questions={**merged.questions, **overlay.questions},
                )

    for info in header.levels:
        if not pack.lessons_for(info.level) and not pack.exam_pools.get(info.level):
            problems.append(Problem(PACK_FILE, 1, f"level {info.level} has no lessons"))
    return pack, sorted(problems)


def load_pack(root: Path | None = None) -> Pack:
    """Load a pack, raising :class:`PackError` listing every problem if there is any."""
    pack, problems = collect(root or SHIPPED_PACK)
    if problems or pack is None:
        raise PackError(problems)
    return pack
