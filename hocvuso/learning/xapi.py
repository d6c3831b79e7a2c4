"""xAPI 1.0.3 statements of the learning record: answered, completed, passed, failed.

Plain functions build the statements; :func:`write` adds them to the outbox (``xapi_statement``)
in the caller's session, so a statement is committed with what it records or not at all. Nothing
is written when no LRS is configured (``HOCVUSO_XAPI_ENDPOINT``).

The actor is an account on the deployment (``homePage`` = ``HOCVUSO_PUBLIC_URL``) named by an
HMAC of the learner's row id under ``HOCVUSO_XAPI_PSEUDONYM_KEY``: never a chat id, a name or
anything the LRS could link to a person without the key. Statement ids are ``uuid5`` of what the
statement records (the pseudonym and the prompt, lesson or exam), so the same event always makes
the same id and the LRS stores it once. Shapes and verbs: ``docs/xapi.md``.
"""

from __future__ import annotations

import hashlib
import hmac
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel.ext.asyncio.session import AsyncSession

from hocvuso.config import Settings
from hocvuso.content.loader import Pack
from hocvuso.storage import tables
from hocvuso.storage.xapi import XapiState

VERSION = "1.0.3"
ADL_VERBS = "http://adlnet.gov/expapi/verbs/"
ADL_ACTIVITIES = "http://adlnet.gov/expapi/activities/"
VERBS = {
    name: {"id": ADL_VERBS + name, "display": {"en-US": name}}
    for name in ("answered", "completed", "passed", "failed")
}
#: The namespace of the statement ids (itself a uuid5 of the project's name).
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://github.com/hocvuso/xapi-statements")


@dataclass(frozen=True)
class Statement:
    id: str
    verb: str
    body: dict[str, Any]


@dataclass(frozen=True)
class Writer:
    """What the builders need from the settings: the deployment's address and the key."""

    public_url: str
    key: bytes

    @classmethod
    def of(cls, settings: Settings) -> Writer | None:
        """The writer for these settings, or None when no LRS is configured."""
        if not settings.xapi_endpoint:
            return None
        return cls(settings.public_url, settings.xapi_key)

    # --- the parts ------------------------------------------------------------------------
    def pseudonym(self, learner_id: int) -> str:
        """The learner's name in the LRS: stable, and unlinkable without the key."""
        return hmac.new(self.key, f"learner:{learner_id}".encode(), hashlib.sha256).hexdigest()[:32]

    def actor(self, learner_id: int) -> dict[str, Any]:
        return {
            "objectType": "Agent",
            "account": {"homePage": self.public_url, "name": self.pseudonym(learner_id)},
        }

    def activity_id(self, kind: str, name: str) -> str:
        return f"{self.public_url}/xapi/activities/{kind}/{name}"

    def _activity(self, kind: str, name: str, definition: dict[str, Any]) -> dict[str, Any]:
        return {
            "objectType": "Activity",
            "id": self.activity_id(kind, name),
            "definition": definition,
        }

    def _context(
        self,
        pack: Pack,
        level: int,
        area: str | None,
        parent: dict[str, Any] | None,
        mode: str | None = None,
    ) -> dict[str, Any]:
        grouping = [self._level(pack, level)]
        if area is not None:
            grouping.append(
                self._activity(
                    "area",
                    area,
                    {"name": _names(pack, lambda lang: pack.area_title(area, lang))},
                )
            )
        activities: dict[str, Any] = {"grouping": grouping}
        if parent is not None:
            activities["parent"] = [parent]
        extensions: dict[str, Any] = {f"{self.public_url}/xapi/extensions/level": level}
        if area is not None:
            extensions[f"{self.public_url}/xapi/extensions/area"] = area
        if mode is not None:
            extensions[f"{self.public_url}/xapi/extensions/mode"] = mode
        return {
            "platform": "hocvuso",
            "language": pack.header.language,
            "contextActivities": activities,
            "extensions": extensions,
        }

    def _level(self, pack: Pack, level: int) -> dict[str, Any]:
        return self._activity(
            "level",
            str(level),
            {
                "type": ADL_ACTIVITIES + "course",
                "name": _names(pack, lambda lang: pack.level_title(level, lang)),
            },
        )

    def _lesson(self, pack: Pack, lesson_id: str) -> dict[str, Any]:
        return self._activity(
            "lesson",
            lesson_id,
            {
                "type": ADL_ACTIVITIES + "lesson",
                "name": _names(pack, lambda lang: pack.lesson_text(lesson_id, lang)[0]),
            },
        )

    def _statement(
        self, key: str, learner_id: int, verb: str, rest: dict[str, Any], now: datetime
    ) -> Statement:
        statement_id = str(uuid.uuid5(NAMESPACE, f"{key}|{self.pseudonym(learner_id)}"))
        body = {
            "id": statement_id,
            "actor": self.actor(learner_id),
            "verb": VERBS[verb],
            **rest,
            "timestamp": _timestamp(now),
            "version": VERSION,
        }
        return Statement(statement_id, verb, body)

    # --- the statements -------------------------------------------------------------------
    def answered(
        self,
        pack: Pack,
        learner_id: int,
        question_id: str,
        *,
        mode: str,
        chosen: int,
        correct: bool,
        nonce: str,
        lesson_id: str | None,
        exam_level: int | None,
        now: datetime,
    ) -> Statement:
        """One answer: the choice made (the option's index as written), right or not."""
        ref = pack.questions[question_id]
        question = ref.question
        parent = (
            self._lesson(pack, lesson_id)
            if lesson_id and lesson_id in pack.lessons
            else self._activity("exam", f"level-{exam_level}", _EXAM)
            if exam_level is not None
            else None
        )
        definition = {
            "type": ADL_ACTIVITIES + "cmi.interaction",
            "name": _names(pack, lambda lang: pack.question_text(question_id, lang)[0]),
            "interactionType": "choice",
            "correctResponsesPattern": [str(question.correct)],
            "choices": [
                {"id": str(i), "description": {pack.header.language: option}}
                for i, option in enumerate(question.options)
            ],
        }
        return self._statement(
            f"answered|{nonce}",
            learner_id,
            "answered",
            {
                "object": self._activity("question", question_id, definition),
                "result": {"success": correct, "response": str(chosen)},
                "context": self._context(pack, ref.level, ref.area, parent, mode),
            },
            now,
        )

    def completed(
        self,
        pack: Pack,
        learner_id: int,
        lesson_id: str,
        *,
        correct: int,
        total: int,
        now: datetime,
    ) -> Statement:
        """A lesson done (its questions answered)."""
        ref = pack.lessons[lesson_id]
        result: dict[str, Any] = {"completion": True}
        if total:
            result["score"] = _score(correct, total)
        return self._statement(
            f"completed|{lesson_id}|{_timestamp(now)}",
            learner_id,
            "completed",
            {
                "object": self._lesson(pack, lesson_id),
                "result": result,
                "context": self._context(pack, ref.level, ref.area, self._level(pack, ref.level)),
            },
            now,
        )

    def graded(
        self,
        pack: Pack,
        learner_id: int,
        exam_id: int,
        level: int,
        *,
        correct: int,
        total: int,
        passed: bool,
        now: datetime,
    ) -> Statement:
        """A level exam graded: passed or failed, with the score scaled to 0..1."""
        verb = "passed" if passed else "failed"
        return self._statement(
            f"{verb}|exam|{exam_id}",
            learner_id,
            verb,
            {
                "object": self._activity("exam", f"level-{level}", _EXAM),
                "result": {
                    "success": passed,
                    "completion": True,
                    "score": _score(correct, total),
                },
                "context": self._context(pack, level, None, self._level(pack, level)),
            },
            now,
        )


_EXAM = {
    "type": ADL_ACTIVITIES + "assessment",
    "name": {"vi": "Bài thi cấp độ", "en": "Level exam"},
}


def _names(pack: Pack, title: Any) -> dict[str, str]:
    """A language map of the title in the pack's language and its translations."""
    languages = [pack.header.language, *(lang for lang in pack.translations)]
    return {lang: str(title(lang)) for lang in dict.fromkeys(languages)}


def _score(correct: int, total: int) -> dict[str, Any]:
    return {
        "raw": correct,
        "min": 0,
        "max": total,
        "scaled": round(correct / total, 4) if total else 0,
    }


def _timestamp(now: datetime) -> str:
    return now.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


async def write(session: AsyncSession, statements: list[Statement], learner_id: int) -> int:
    """Add statements to the outbox in the session's transaction; an id already there is
    skipped (the same event recorded twice). Returns how many were added."""
    if not statements:
        return 0
    connection: AsyncConnection = await session.connection()
    rows = [
        {
            "id": s.id,
            "learner_id": learner_id,
            "verb": s.verb,
            "statement": s.body,
            "state": XapiState.PENDING.value,
            "attempts": 0,
            "created_at": _parse(s.body["timestamp"]),
            "next_try_at": _parse(s.body["timestamp"]),
        }
        for s in statements
    ]
    statement = tables.insert_ignore(connection, tables.XAPI_STATEMENT, "id")
    with session.no_autoflush:
        result = await connection.execute(statement, rows)
    return max(result.rowcount or 0, 0)


def _parse(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))


# --- what the study loop calls, in its transaction ------------------------------------------
async def record_answered(
    session: AsyncSession,
    settings: Settings,
    pack: Pack,
    learner_id: int,
    question_id: str,
    **answer: Any,
) -> None:
    """The ``answered`` statement of an answer just recorded (``Writer.answered``'s keywords)."""
    writer = Writer.of(settings)
    if writer is not None and question_id in pack.questions:
        statement = writer.answered(pack, learner_id, question_id, **answer)
        await write(session, [statement], learner_id)


async def record_completed(
    session: AsyncSession,
    settings: Settings,
    pack: Pack,
    learner_id: int,
    lesson_id: str,
    *,
    correct: int,
    total: int,
    now: datetime,
) -> None:
    writer = Writer.of(settings)
    if writer is not None and lesson_id in pack.lessons:
        statement = writer.completed(
            pack, learner_id, lesson_id, correct=correct, total=total, now=now
        )
        await write(session, [statement], learner_id)


async def record_graded(
    session: AsyncSession,
    settings: Settings,
    pack: Pack,
    learner_id: int,
    exam_id: int,
    level: int,
    *,
    correct: int,
    total: int,
    passed: bool,
    now: datetime,
) -> None:
    writer = Writer.of(settings)
    if writer is not None:
        statement = writer.graded(
            pack,
            learner_id,
            exam_id,
            level,
            correct=correct,
            total=total,
            passed=passed,
            now=now,
        )
        await write(session, [statement], learner_id)
