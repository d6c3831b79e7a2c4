"""The shape of a content pack, validated with pydantic.

A pack is a directory:

- ``pack.yaml``: id, version, language, the competence areas, the levels and their exam rules;
- ``<module>.yaml`` (any name, any sub-directory except ``i18n/``): one ``module`` with its lessons
  and their questions, or one ``exam`` pool for a level;
- ``i18n/<lang>/*.yaml``: translation overlays keyed by lesson, question and module ids.

Limits follow what a Telegram message and a quiz poll accept, so every question can be shown
either as inline buttons or as a native quiz poll.
"""

from __future__ import annotations

import datetime
import re
from typing import Annotated, Any, Final, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    HttpUrl,
    SerializerFunctionWrapHandler,
    field_validator,
    model_serializer,
    model_validator,
)

QUESTION_MAX = 300
OPTION_MAX = 100
EXPLANATION_MAX = 200
OPTIONS_MIN, OPTIONS_MAX = 2, 12
TITLE_MAX = 120
#: Slow, careful reading on a phone: 180 words (Vietnamese syllables) a minute.
READING_WORDS_PER_MINUTE = 180
READING_MINUTES_MAX = 2.0
#: A lesson is sent as one message with a header and a progress bar: keep room for them.
BODY_CHARS_MAX = 3500

ROLES = ("deputy", "civil_servant", "council", "other")
ROLE_ALL: Final = "all"
Role = Literal["deputy", "civil_servant", "council", "other", "all"]
Level = Annotated[int, Field(ge=1, le=4)]
Id = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_.-]{1,63}$")]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def reading_minutes(text: str) -> float:
    return len(re.findall(r"\w+", text)) / READING_WORDS_PER_MINUTE


class Localized(Strict):
    vi: str
    en: str | None = None

    def get(self, language: str) -> str:
        return (self.en if language == "en" else None) or self.vi


class Source(Strict):
    title: str = Field(min_length=3, max_length=200)
    url: HttpUrl
    #: The day someone last read the page and saw it support the text (``checked: 2026-12-01``).
    checked: datetime.date | None = None

    @model_serializer(mode="wrap")
    def _omit_unchecked(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        # An importer writes sources back to YAML: no ``checked: null`` for a source never read.
        data: dict[str, Any] = handler(self)
        if data.get("checked") is None:
            data.pop("checked", None)
        return data


class Question(Strict):
    id: Id
    text: str = Field(min_length=5, max_length=QUESTION_MAX)
    options: list[Annotated[str, Field(min_length=1, max_length=OPTION_MAX)]] = Field(
        min_length=OPTIONS_MIN, max_length=OPTIONS_MAX
    )
    correct: int = Field(ge=0, description="Index of the correct option, from 0.")
    explanation: str = Field(min_length=10, max_length=EXPLANATION_MAX)
    #: Only for exam-pool questions (lesson questions take their lesson's area).
    area: str | None = None
    sources: list[Source] = Field(default_factory=list)

    @model_validator(mode="after")
    def _correct_in_range(self) -> Question:
        if self.correct >= len(self.options):
            raise ValueError(
                f"correct={self.correct} but there are only {len(self.options)} options"
            )
        if len({o.strip().casefold() for o in self.options}) != len(self.options):
            raise ValueError("two options have the same text")
        return self


def _every_role() -> list[Role]:
    return [ROLE_ALL]


class Lesson(Strict):
    id: Id
    title: str = Field(min_length=3, max_length=TITLE_MAX)
    roles: list[Role] = Field(default_factory=_every_role, min_length=1)
    body: str = Field(min_length=50, max_length=BODY_CHARS_MAX)
    sources: list[Source] = Field(min_length=1)
    questions: list[Question] = Field(min_length=1)

    @field_validator("body")
    @classmethod
    def _short_enough_to_read(cls, body: str) -> str:
        minutes = reading_minutes(body)
        if minutes > READING_MINUTES_MAX:
            raise ValueError(
                f"takes {minutes:.1f} minutes to read; a micro-lesson must take under "
                f"{READING_MINUTES_MAX:g}"
            )
        return body

    def fits(self, role: str) -> bool:
        return ROLE_ALL in self.roles or role in self.roles


class ModuleHeader(Strict):
    id: Id
    level: Level
    area: str
    title: str = Field(min_length=3, max_length=TITLE_MAX)


class ModuleFile(Strict):
    module: ModuleHeader
    lessons: list[Lesson] = Field(min_length=1)


class ExamPool(Strict):
    level: Level
    questions: list[Question] = Field(min_length=1)

    @model_validator(mode="after")
    def _areas_named(self) -> ExamPool:
        for question in self.questions:
            if not question.area:
                raise ValueError(f"exam question {question.id} needs an 'area'")
        return self


class ExamFile(Strict):
    exam: ExamPool


class Area(Strict):
    id: Id
    title: Localized


class ExamRules(Strict):
    size: int = Field(default=10, ge=1, le=100)
    pass_ratio: float = Field(default=0.8, gt=0, le=1)
    cooldown_hours: int = Field(default=24, ge=0)


class LevelInfo(Strict):
    level: Level
    title: Localized
    exam: ExamRules = ExamRules()


class PackHeader(Strict):
    id: Id
    version: str
    language: Literal["vi", "en"] = "vi"
    title: Localized
    areas: list[Area] = Field(min_length=1)
    levels: list[LevelInfo] = Field(min_length=1)


class LessonText(Strict):
    title: str | None = Field(default=None, max_length=TITLE_MAX)
    body: str | None = Field(default=None, max_length=BODY_CHARS_MAX)


class QuestionText(Strict):
    text: str | None = Field(default=None, max_length=QUESTION_MAX)
    options: list[Annotated[str, Field(min_length=1, max_length=OPTION_MAX)]] | None = None
    explanation: str | None = Field(default=None, max_length=EXPLANATION_MAX)


class Translation(Strict):
    language: Literal["vi", "en"]
    modules: dict[str, str] = Field(default_factory=dict, description="module id -> title")
    lessons: dict[str, LessonText] = Field(default_factory=dict)
    questions: dict[str, QuestionText] = Field(default_factory=dict)
