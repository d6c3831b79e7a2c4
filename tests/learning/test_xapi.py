"""xAPI statements as the learning record writes them: shapes, stable ids, pseudonyms, and the
outbox filled in the same transaction as the answer, the lesson and the exam."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from hocvuso.config import Settings
from hocvuso.content.loader import Pack
from hocvuso.learning import xapi
from tests.factories import Clock, insert_learner, rows_of
from tests.xapi_helpers import conversation, study_until_exam, take_exam, xapi_settings

NOW = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)
LRS = "http://127.0.0.1:9/xAPI"  # never reached here: these tests only fill the outbox


def writer(key: bytes = b"k" * 32) -> xapi.Writer:
    return xapi.Writer("https://hocvuso.example.vn", key)


def answered(pack: Pack, w: xapi.Writer, nonce: str = "n1", correct: bool = True) -> xapi.Statement:
    question_id = next(q for q, ref in pack.questions.items() if ref.lesson_id)
    ref = pack.questions[question_id]
    return w.answered(
        pack,
        7,
        question_id,
        mode="lesson",
        chosen=ref.question.correct if correct else (ref.question.correct + 1) % 2,
        correct=correct,
        nonce=nonce,
        lesson_id=ref.lesson_id,
        exam_level=None,
        now=NOW,
    )


def test_an_answer_is_an_adl_answered_statement_of_an_account_actor(pack: Pack) -> None:
    body = answered(pack, writer()).body
    assert body["verb"]["id"] == "http://adlnet.gov/expapi/verbs/answered"
    assert body["version"] == "1.0.3"
    assert body["timestamp"] == "2026-12-01T03:00:00.000Z"
    account = body["actor"]["account"]
    assert account["homePage"] == "https://hocvuso.example.vn"
    assert len(account["name"]) == 32 and "7" != account["name"]
    assert body["result"]["success"] is True
    assert body["object"]["id"].startswith("https://hocvuso.example.vn/xapi/activities/question/")
    context = body["context"]
    assert context["contextActivities"]["parent"][0]["id"].startswith(
        "https://hocvuso.example.vn/xapi/activities/lesson/"
    )
    assert context["extensions"]["https://hocvuso.example.vn/xapi/extensions/level"] == 1


def test_the_same_answer_makes_the_same_statement_id_and_another_answer_another(
    pack: Pack,
) -> None:
    first = answered(pack, writer())
    assert answered(pack, writer()).id == first.id
    assert answered(pack, writer(), nonce="n2").id != first.id
    assert uuid.UUID(first.id).version == 5


def test_the_pseudonym_depends_on_the_key_and_never_shows_the_learner() -> None:
    one, other = writer(b"a" * 32), writer(b"b" * 32)
    assert one.pseudonym(7) == one.pseudonym(7)
    assert one.pseudonym(7) != one.pseudonym(8)
    assert one.pseudonym(7) != other.pseudonym(7)


def test_an_exam_is_passed_or_failed_with_the_score_scaled(pack: Pack) -> None:
    passed = writer().graded(pack, 7, 3, 1, correct=4, total=5, passed=True, now=NOW).body
    failed = writer().graded(pack, 7, 4, 1, correct=2, total=5, passed=False, now=NOW).body
    assert passed["verb"]["id"].endswith("/passed") and passed["result"]["success"] is True
    assert passed["result"]["score"] == {"raw": 4, "min": 0, "max": 5, "scaled": 0.8}
    assert failed["verb"]["id"].endswith("/failed") and failed["result"]["score"]["scaled"] == 0.4


async def test_nothing_is_written_without_an_lrs(
    sessions: async_sessionmaker[AsyncSession],
    database: AsyncEngine,
    pack: Pack,
    settings: Settings,
    clock: Clock,
) -> None:
    chat = conversation(sessions, pack, settings, clock)
    await study_until_exam(chat)
    assert await rows_of(database, "xapi_statement") == []


async def test_a_session_fills_the_outbox_with_one_statement_per_event(
    sessions: async_sessionmaker[AsyncSession],
    database: AsyncEngine,
    database_url: str,
    pack: Pack,
    clock: Clock,
) -> None:
    chat = conversation(sessions, pack, xapi_settings(database_url, LRS), clock)
    await study_until_exam(chat)
    await take_exam(chat)
    rows = await rows_of(database, "xapi_statement")
    verbs = [r.verb for r in sorted(rows, key=lambda r: (r.created_at, r.verb))]
    # three lessons of level 1 on this path, the exam of five questions, passed
    assert verbs.count("completed") == 3
    assert verbs.count("passed") == 1 and "failed" not in verbs
    assert verbs.count("answered") == len(rows) - 4
    assert {r.state for r in rows} == {"pending"}
    assert len({r.id for r in rows}) == len(rows)
    assert all(r.statement["id"] == r.id for r in rows)
    assert all(str(chat.chat_id) not in r.statement["actor"]["account"]["name"] for r in rows)
    wrong = [r for r in rows if r.verb == "answered" and not r.statement["result"]["success"]]
    assert len(wrong) == 1  # the first answer was wrong


async def test_a_statement_is_kept_only_if_its_transaction_commits(
    sessions: async_sessionmaker[AsyncSession],
    database: AsyncEngine,
    database_url: str,
    pack: Pack,
) -> None:
    learner_id = await insert_learner(database)
    statement = writer().graded(pack, learner_id, 1, 1, correct=5, total=5, passed=True, now=NOW)
    async with sessions() as session:
        async with session.begin():
            assert await xapi.write(session, [statement], learner_id) == 1
            await session.rollback()
    assert await rows_of(database, "xapi_statement") == []
    async with sessions() as session, session.begin():
        assert await xapi.write(session, [statement], learner_id) == 1
    async with sessions() as session, session.begin():  # the same event again: kept once
        assert await xapi.write(session, [statement], learner_id) == 0
    assert len(await rows_of(database, "xapi_statement")) == 1


@pytest.mark.parametrize("url", ["http://lrs.example.vn/xAPI", "ftp://127.0.0.1/x"])
def test_an_lrs_is_reached_over_https_only_except_on_this_machine(url: str) -> None:
    with pytest.raises(ValueError, match="HOCVUSO_XAPI_ENDPOINT must be an https"):
        Settings(xapi_endpoint=url, _env_file=None)  # type: ignore[call-arg]
    assert Settings(xapi_endpoint="http://127.0.0.1:8100/xAPI/", _env_file=None).xapi_endpoint == (  # type: ignore[call-arg]
        "http://127.0.0.1:8100/xAPI"
    )


def test_production_with_an_lrs_needs_its_own_pseudonym_key() -> None:
    with pytest.raises(ValueError, match="HOCVUSO_XAPI_PSEUDONYM_KEY"):
        Settings(  # type: ignore[call-arg]
            environment="production",
            public_url="https://hocvuso.example.vn",
            xapi_endpoint="https://lrs.example.vn/xAPI",
            _env_file=None,
        )


async def test_mydata_shows_the_statements_and_forget_deletes_them(
    sessions: async_sessionmaker[AsyncSession],
    database: AsyncEngine,
    database_url: str,
    pack: Pack,
    clock: Clock,
) -> None:
    from hocvuso.organising import privacy
    from hocvuso.storage.models import Learner

    chat = conversation(sessions, pack, xapi_settings(database_url, LRS), clock)
    await study_until_exam(chat)
    rows = await rows_of(database, "xapi_statement")
    async with sessions() as session:
        learner = await session.get(Learner, rows[0].learner_id)
        assert learner is not None
        export = await privacy.export_person(session, learner, NOW)
    assert sorted(s["id"] for s in export["xapi_statements"]) == sorted(r.id for r in rows)
    assert export["xapi_statements"][0]["statement"]["actor"]["account"]["name"]
    await chat.send("/forget")
    await chat.press("Xóa dữ liệu của tôi")
    assert await rows_of(database, "xapi_statement") == []


async def test_a_redelivered_or_repeated_press_makes_no_second_statement(
    sessions: async_sessionmaker[AsyncSession],
    database: AsyncEngine,
    database_url: str,
    pack: Pack,
    clock: Clock,
) -> None:
    from hocvuso.chat.events import Press

    chat = conversation(sessions, pack, xapi_settings(database_url, LRS), clock)
    await chat.onboard()
    await chat.press("Làm câu hỏi")
    letter = chat.letter_for(correct=True)
    data = next(b.data for b in chat.buttons() if b.label == letter)
    await chat.event(Press(data), update_id=900001)
    await chat.event(Press(data), update_id=900001)  # Telegram delivers it again
    await chat.event(Press(data), update_id=900002)  # the person presses the old button again
    rows = await rows_of(database, "xapi_statement")
    assert [r.verb for r in rows] == ["answered"]
