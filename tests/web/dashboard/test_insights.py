"""The questions, retention and audit pages, and the overview's trend chart: the domain's
numbers for a seeded set, only the person's scope (a learner of another unit does not count,
another unit is a 404), the audit log for admins only, filters, pages, and every view and
download audited.

The world is tests/web/dashboard/conftest.py's: A (A1, A2 (A2x)), B (B1); An organises A, Hà
A2, Đạt is an admin. Exams are seeded for Xuân (A2x), Phương (A1) and Bình (B1)."""

from __future__ import annotations

import csv
import html
import io
import re
from datetime import datetime, timedelta

import openpyxl
import pytest
from sqlalchemy import insert
from sqlmodel import col, select

from hocvuso.content.loader import Pack
from hocvuso.learning import srs
from hocvuso.organising import audit, insights, reports
from hocvuso.organising import question_stats as qs
from hocvuso.organising.forecast import Target
from hocvuso.storage import tables
from hocvuso.storage.organising import AuditEntry
from tests.factories import add_learner
from tests.web.dashboard.conftest import World

QROW = re.compile(r'<tr data-question="([^"]+)">(.*?)</tr>', re.S)
WEEK = re.compile(r'<tr data-week="([^"]+)">(.*?)</tr>', re.S)
CELL = re.compile(r"<t[hd][^>]*>(.*?)</t[hd]>", re.S)
TAG = re.compile(r"<[^>]+>")
QA = tables.QUIZ_ATTEMPT
E = tables.EXAM_ATTEMPT


def cells(body: str) -> list[str]:
    return [" ".join(html.unescape(TAG.sub("", c)).split()) for c in CELL.findall(body)]


def decimal(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}".replace(".", ",")


async def entries(w: World, action: str) -> list[AuditEntry]:
    async with w.sessions() as session:
        found = await session.exec(
            select(AuditEntry).where(AuditEntry.action == action).order_by(col(AuditEntry.id))
        )
        return list(found.all())


# --- questions ------------------------------------------------------------------------------
#: who: per question of the level 1 pool (first three), right or wrong
MARKS = {
    "xuan": (True, False, False),  # A2x
    "phuong": (True, True, False),  # A1
    "binh": (False, True, True),  # B1: outside An's scope
}


async def seed_exams(w: World, pack: Pack) -> list[str]:
    pool = pack.exam_pools[1][:3]
    nonce = 0
    async with w.sessions() as session, session.begin():
        connection = await session.connection()
        for who, marks in MARKS.items():
            exam = await connection.execute(
                insert(E)
                .values(
                    learner_id=w.id(who),
                    level=1,
                    question_ids=pool,
                    correct=sum(marks),
                    answered=3,
                    passed=False,
                    started_at=w.clock.now - timedelta(days=5),
                    finished_at=w.clock.now - timedelta(days=5),
                )
                .returning(E.c.id)
            )
            exam_id = exam.scalar_one()
            for question, right in zip(pool, marks, strict=True):
                ref = pack.questions[question].question
                wrong = next(i for i in range(len(ref.options)) if i != ref.correct)
                nonce += 1
                await connection.execute(
                    insert(QA).values(
                        learner_id=w.id(who),
                        question_id=question,
                        mode="exam",
                        chosen=ref.correct if right else wrong,
                        correct=right,
                        prompt_nonce=f"w{nonce}",
                        exam_id=exam_id,
                        answered_at=w.clock.now - timedelta(days=5),
                    )
                )
    return pool


async def expected_stats(w: World, pack: Pack, unit: str | None) -> list[qs.QuestionStats]:
    async with w.sessions() as session:
        root = w.units[unit] if unit else None
        return await qs.question_stats(session, pack, root)


async def test_questions_show_the_item_analysis_of_the_scope_only(world: World, pack: Pack) -> None:
    pool = await seed_exams(world, pack)
    world.app.state.pack = pack
    async with world.signed_in("an") as client:
        page = await client.get("/dashboard/questions")
    assert page.status_code == 200
    rows = {q: cells(body) for q, body in QROW.findall(page.text)}
    expected = await expected_stats(world, pack, "A")
    assert list(rows) == [q.question_id for q in expected]  # the pack's order
    assert sorted(rows) == sorted(pool)
    # Bình (B1) is outside A: two attempts each, facility counted by hand.
    assert [rows[q][2] for q in pool] == ["2", "2", "2"]
    assert [rows[q][3] for q in pool] == ["100,0", "50,0", "0,0"]
    for q in expected:
        assert q.area is not None
        assert rows[q.question_id][1] == f"1 · {pack.area_title(q.area, 'vi')}"  # its name
        assert rows[q.question_id][4:6] == [decimal(q.discrimination), decimal(q.efficiency)]
    # The details: every option's share, the correct one marked in words.
    first = pack.questions[pool[0]].question
    assert f"{first.options[first.correct]}: 100,0% (2) — ✓ đáp án đúng" in rows[pool[0]][0]
    views = [e for e in await entries(world, "dashboard.view") if e.details["page"] == "questions"]
    assert [(e.actor_id, e.unit_id, e.details) for e in views] == [
        (world.id("an"), world.units["A"].id, {"page": "questions", "questions": 3})
    ]


async def test_an_admin_sees_everyone_and_the_flags_are_in_words(world: World, pack: Pack) -> None:
    pool = await seed_exams(world, pack)
    world.app.state.pack = pack
    async with world.signed_in("dat") as client:
        page = await client.get("/dashboard/questions")
        english = await client.get("/dashboard/questions", params={"lang": "en"})
    rows = {q: cells(body) for q, body in QROW.findall(page.text)}
    assert [rows[q][2] for q in pool] == ["3", "3", "3"]
    assert [rows[q][3] for q in pool] == ["66,7", "66,7", "33,3"]
    stats = await expected_stats(world, pack, None)
    flagged = [q for q in stats if q.flags]
    assert flagged  # the seeded set has a dubious question
    for q in stats:
        shown = rows[q.question_id][6]
        if q.flags:
            assert shown.startswith("⚠")
            for flag in q.flags:
                assert {
                    qs.Flag.LOW_EFFICIENCY: "hiệu quả phân biệt dưới 15%",
                    qs.Flag.NEGATIVE_DISCRIMINATION: "phân biệt âm",
                }[flag] in shown
        else:
            assert shown == "✓ không có"
    assert "Exam question analysis" in english.text and 'lang="en"' in english.text


async def test_questions_sort_level_and_bad_input(world: World, pack: Pack) -> None:
    pool = await seed_exams(world, pack)
    world.app.state.pack = pack
    async with world.signed_in("an") as client:
        by_facility = await client.get("/dashboard/questions", params={"sort": "facility"})
        level_two = await client.get("/dashboard/questions", params={"level": "2"})
        wrong = await client.get("/dashboard/questions", params={"level": "x"})
        five = await client.get("/dashboard/questions", params={"level": "5"})
    assert [q for q, _ in QROW.findall(by_facility.text)] == list(reversed(pool))
    assert QROW.findall(level_two.text) == []
    assert "Chưa có bài thi nào hoàn thành trong phạm vi này." in level_two.text
    assert wrong.status_code == 400 and "Cấp độ phải là 1, 2, 3 hoặc 4." in wrong.text
    assert five.status_code == 400


async def test_another_units_questions_are_a_404_like_an_unknown_unit(
    world: World, pack: Pack
) -> None:
    world.app.state.pack = pack
    async with world.signed_in("an") as client:
        other = await client.get("/dashboard/questions", params={"unit": "B1"})
        unknown = await client.get("/dashboard/questions", params={"unit": "NOPE"})
        other_file = await client.get("/dashboard/questions.csv", params={"unit": "B1"})
    assert other.status_code == unknown.status_code == other_file.status_code == 404
    assert other.text == unknown.text


async def test_the_questions_file_is_the_reports_table_and_is_audited(
    world: World, pack: Pack
) -> None:
    await seed_exams(world, pack)
    world.app.state.pack = pack
    async with world.signed_in("ha") as client:
        answer = await client.get("/dashboard/questions.csv")
        xlsx = await client.get("/dashboard/questions.xlsx")
    header, rows = qs_table(await expected_stats(world, pack, "A2"))
    lines = list(csv.reader(io.StringIO(answer.text)))
    assert lines[0] == header
    assert lines[1:] == [["" if v is None else str(v) for v in row] for row in rows]
    assert [r[3] for r in lines[1:]] == ["1", "1", "1"]  # only Xuân is in A2's subtree
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None and [c.value for c in sheet[1]] == header
    exports = [e.details for e in await entries(world, "dashboard.export")]
    assert exports == [
        {"page": "questions", "format": "csv", "questions": 3},
        {"page": "questions", "format": "xlsx", "questions": 3},
    ]


def qs_table(stats: list[qs.QuestionStats]) -> tuple[list[str], list[list[object]]]:
    from hocvuso.organising import statistics_files

    return statistics_files.question_table(stats)


async def test_item_analysis_is_reused_for_a_few_minutes_and_says_when(
    world: World, pack: Pack
) -> None:
    world.app.state.pack = pack
    async with world.signed_in("an") as client:
        before = await client.get("/dashboard/questions")
        await seed_exams(world, pack)
        cached = await client.get("/dashboard/questions")
        world.clock.advance(minutes=insights.CACHE_TTL.total_seconds() / 60 + 1)
        fresh = await client.get("/dashboard/questions")
    assert "Số liệu được tính lúc 09:00 23/11/2026" in before.text
    assert QROW.findall(cached.text) == [] and "09:00 23/11/2026" in cached.text
    assert len(QROW.findall(fresh.text)) == 3 and "09:06 23/11/2026" in fresh.text


# --- retention ------------------------------------------------------------------------------
async def seed_reviews(w: World, pack: Pack, who: str, question: str, marks: list[bool]) -> None:
    """A lesson answer (right) five weeks ago, then a review per mark, a week apart."""
    start = w.clock.now - timedelta(days=35)
    async with w.sessions() as session, session.begin():
        connection = await session.connection()
        for n, (mode, right) in enumerate([("lesson", True), *(("review", m) for m in marks)]):
            await connection.execute(
                insert(QA).values(
                    learner_id=w.id(who),
                    question_id=question,
                    mode=mode,
                    lesson_id=pack.questions[question].lesson_id if mode == "lesson" else None,
                    chosen=0,
                    correct=right,
                    prompt_nonce=f"r{who}{n}",
                    answered_at=start + timedelta(days=7 * n),
                )
            )


def replayed(marks: list[bool], start: datetime) -> list[float]:
    card = srs.next_values(None, True, start)
    predictions = []
    for n, right in enumerate(marks, start=1):
        at = start + timedelta(days=7 * n)
        predicted = srs.retrievability(card, at)
        assert predicted is not None
        predictions.append(predicted)
        card = srs.next_values(card, right, at)
    return predictions


async def test_retention_shows_predicted_against_measured_in_the_scope(
    world: World, pack: Pack
) -> None:
    world.app.state.pack = pack
    question = next(q for q, ref in pack.questions.items() if ref.lesson_id and ref.level == 1)
    await seed_reviews(world, pack, "xuan", question, [True, False])
    await seed_reviews(world, pack, "binh", question, [False, False])  # B1: not An's
    predictions = replayed([True, False], world.clock.now - timedelta(days=35))
    async with world.signed_in("an") as client:
        page = await client.get("/dashboard/retention")
        english = await client.get("/dashboard/retention", params={"lang": "en"})
        answer = await client.get("/dashboard/retention.csv")
    assert page.status_code == 200
    mean = 100 * sum(predictions) / 2
    body = page.text.split("<tbody>")[1]
    total = cells(body.split("</tr>")[0])
    assert total[3:6] == ["2", decimal(round(mean, 1)), "50,0"]
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in page.text and 'role="img"' in page.text
    assert '<title id="cal-title">' in page.text and '<desc id="cal-desc">' in page.text
    assert len(re.findall(r"<circle ", page.text)) == len({int(10 * p) for p in predictions})
    assert " style=" not in page.text
    assert "Calibration chart" in english.text
    lines = list(csv.reader(io.StringIO(answer.text)))
    assert lines[1][3] == "2"
    details = [
        (e.action, e.details)
        for e in [
            *await entries(world, "dashboard.view"),
            *await entries(world, "dashboard.export"),
        ]
        if e.details["page"] == "retention"
    ]
    assert details == [
        ("dashboard.view", {"page": "retention", "reviews": 2}),
        ("dashboard.view", {"page": "retention", "reviews": 2}),
        ("dashboard.export", {"page": "retention", "format": "csv", "reviews": 2}),
    ]


async def test_another_units_retention_is_a_404(world: World, pack: Pack) -> None:
    world.app.state.pack = pack
    async with world.signed_in("ha") as client:
        other = await client.get("/dashboard/retention", params={"unit": "A1"})
        unknown = await client.get("/dashboard/retention", params={"unit": "NOPE"})
    assert other.status_code == 404 and other.text == unknown.text


# --- the audit log ----------------------------------------------------------------------------
async def test_the_audit_log_is_for_admins_only(world: World) -> None:
    async with world.signed_in("an") as client:
        page = await client.get("/dashboard/audit")
        file = await client.get("/dashboard/audit.csv")
        unknown = await client.get("/dashboard/no-such-page")
    assert page.status_code == file.status_code == unknown.status_code == 404
    assert page.text == unknown.text
    assert 'href="/dashboard/audit"' not in (await _overview(world, "an"))
    assert 'href="/dashboard/audit"' in (await _overview(world, "dat"))


async def _overview(world: World, who: str) -> str:
    async with world.signed_in(who) as client:
        return (await client.get("/dashboard")).text


AROW = re.compile(r"<tbody>(.*?)</tbody>", re.S)


def audit_rows(page: str) -> list[list[str]]:
    found = AROW.search(page)
    return [cells(r) for r in found.group(1).split("</tr>")[:-1]] if found else []


async def seed_entries(w: World, count: int) -> None:
    async with w.sessions() as session, session.begin():
        for n in range(count):
            await audit.record(
                session,
                w.id("an"),
                "chat",
                "broadcast.send",
                w.units["A"].id,
                w.clock.now - timedelta(days=count - n),
                recipients=n,
            )


async def test_an_admin_filters_and_pages_the_log_newest_first(world: World) -> None:
    await seed_entries(world, 60)
    async with world.signed_in("dat") as client:
        first = await client.get("/dashboard/audit", params={"action": "broadcast.send"})
        second = await client.get(
            "/dashboard/audit", params={"action": "broadcast.send", "page": "2"}
        )
        by_actor = await client.get("/dashboard/audit", params={"actor": str(world.id("dat"))})
        dated = await client.get(
            "/dashboard/audit",
            params={"action": "broadcast.send", "since": "2026-11-20", "until": "2026-11-21"},
        )
    rows = audit_rows(first.text)
    assert len(rows) == insights.AUDIT_PAGE
    assert rows[0][0] == "22/11/2026 09:00:00"  # newest first (a day before now)
    assert rows[0][1:6] == [
        f"Phạm Văn An (#{world.id('an')})",
        "người tổ chức",
        "chat",
        "broadcast.send",
        "A",
    ]
    assert rows[0][6] == "recipients=59"
    assert "Cũ hơn" in first.text and "page=2" in first.text
    assert [r[6] for r in audit_rows(second.text)] == [f"recipients={n}" for n in range(9, -1, -1)]
    assert "Cũ hơn" not in second.text and "Mới hơn" in second.text
    actions = {r[4] for r in audit_rows(by_actor.text)}
    assert actions <= {"dashboard.link", "dashboard.login", "dashboard.view"}
    assert "dashboard.login" in actions  # only Đạt's own entries
    assert [r[0][:10] for r in audit_rows(dated.text)] == ["21/11/2026", "20/11/2026"]
    views = [e.details for e in await entries(world, "dashboard.view")]
    assert {"page": "audit", "entries": 50, "filter_action": "broadcast.send"} in views


async def test_a_wrong_filter_says_what_is_wrong_and_keeps_what_was_typed(world: World) -> None:
    async with world.signed_in("dat") as client:
        bad_date = await client.get("/dashboard/audit", params={"since": "23/11/2026"})
        bad_actor = await client.get("/dashboard/audit", params={"actor": "An", "action": "x.y"})
        backwards = await client.get(
            "/dashboard/audit", params={"since": "2026-11-23", "until": "2026-11-01"}
        )
    assert bad_date.status_code == 400
    assert "Ngày phải có dạng năm-tháng-ngày" in bad_date.text
    assert 'value="23/11/2026"' in bad_date.text
    assert bad_actor.status_code == 400 and "Mã người thực hiện phải là một số" in bad_actor.text
    assert 'value="An"' in bad_actor.text and 'value="x.y"' in bad_actor.text
    assert backwards.status_code == 400 and "không sớm hơn" in backwards.text


async def test_the_audit_downloads_have_every_match_and_are_audited(world: World) -> None:
    await seed_entries(world, 60)
    async with world.signed_in("dat") as client:
        answer = await client.get("/dashboard/audit.csv", params={"action": "broadcast.send"})
        xlsx = await client.get("/dashboard/audit.xlsx", params={"action": "broadcast.send"})
    lines = list(csv.reader(io.StringIO(answer.text)))
    assert lines[0] == [
        "Thời điểm",
        "Người thực hiện",
        "Vai trò",
        "Qua",
        "Thao tác",
        "Đơn vị",
        "Chi tiết",
    ]
    assert len(lines) == 61 and lines[1][6] == "recipients=59" and lines[60][6] == "recipients=0"
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None and sheet.max_row == 61
    exported = [e.details for e in await entries(world, "dashboard.export")]
    assert exported == [
        {"page": "audit", "format": "csv", "entries": 60, "filter_action": "broadcast.send"},
        {"page": "audit", "format": "xlsx", "entries": 60, "filter_action": "broadcast.send"},
    ]


# --- the trend chart ------------------------------------------------------------------------
async def test_the_overview_draws_the_weekly_trend_of_its_scope(world: World) -> None:
    # A history in A1: joined 20 and 10 days ago, one certified 12 days ago.
    now = world.clock.now
    await add_learner(
        world.sessions,
        unit="A1",
        created_at=now - timedelta(days=20),
        certified=[(1, now - timedelta(days=12))],
    )
    await add_learner(world.sessions, unit="A1", created_at=now - timedelta(days=10))
    async with world.signed_in("an") as client:
        page = await client.get("/dashboard")
    weeks = {day: cells(body) for day, body in WEEK.findall(page.text)}
    # The world joined 40 days ago (14/10/2026, the programme's start in A): weeks end on
    # 20/10, 27/10, 03/11, 10/11, 17/11, and today (23/11).
    assert list(weeks) == [
        "2026-10-20",
        "2026-10-27",
        "2026-11-03",
        "2026-11-10",
        "2026-11-17",
        "2026-11-23",
    ]
    # An, Phương and the A2 subtree's five: 7 from the start; one more on 03/11, one on 13/11.
    joined = [row[1] for row in weeks.values()]
    certified = [row[2] for row in weeks.values()]
    assert joined == ["7", "7", "8", "8", "9", "9"]
    assert certified == [
        "0",
        "0",
        "0",
        "0",
        "1",
        "4",
    ]  # 12 days ago; then 3 days ago: Phương, Mai, Xuân
    async with world.sessions() as session:
        report = await reports.unit_report(session, world.units["A"], Target(), now)
    assert report.total.joined == 9 and report.total.at_target == 4
    assert weeks["2026-11-23"][3] == "44,4%"  # the overview's own certified %
    assert 'role="img"' in page.text and '<title id="trend-title">' in page.text
    assert "<polyline" in page.text and "Hạn 31/12/2026" in page.text
    assert "Mục tiêu 100%" in page.text and " style=" not in page.text


@pytest.mark.parametrize("lang", ["vi", "en"])
async def test_the_pages_exist_in_both_languages(world: World, pack: Pack, lang: str) -> None:
    world.app.state.pack = pack
    async with world.signed_in("dat") as client:
        for url in (
            "/dashboard",
            "/dashboard/questions",
            "/dashboard/retention",
            "/dashboard/audit",
        ):
            page = await client.get(url, params={"lang": lang})
            assert page.status_code == 200, url
            assert f'<html lang="{lang}">' in page.text
            assert "dash-" not in TAG.sub("", page.text)  # every text found in the catalog


async def test_the_trend_is_reused_for_a_few_minutes(world: World) -> None:
    async with world.signed_in("ha") as client:
        before = WEEK.findall((await client.get("/dashboard")).text)
        await add_learner(world.sessions, unit="A2", created_at=world.clock.now)
        world.clock.advance(seconds=1)
        cached = WEEK.findall((await client.get("/dashboard")).text)
        world.clock.advance(minutes=6)
        fresh = WEEK.findall((await client.get("/dashboard")).text)
    assert cells(before[-1][1])[1] == cells(cached[-1][1])[1] == "5"
    assert cells(fresh[-1][1])[1] == "6"


async def test_a_name_like_a_formula_stays_text_in_the_audit_file(world: World) -> None:
    await seed_entries(world, 1)
    async with world.sessions() as session, session.begin():
        an = await session.get(type(world.people["an"]), world.id("an"))
        assert an is not None
        an.display_name = '=HYPERLINK("http://x")'
        session.add(an)
    async with world.signed_in("dat") as client:
        answer = await client.get("/dashboard/audit.csv", params={"action": "broadcast.send"})
    assert list(csv.reader(io.StringIO(answer.text)))[1][1] == '\'=HYPERLINK("http://x")'


async def test_without_a_pack_on_the_app_the_shipped_pack_is_read_once(world: World) -> None:
    assert getattr(world.app.state, "pack", None) is None
    async with world.signed_in("an") as client:
        page = await client.get("/dashboard/questions")
    assert page.status_code == 200
    assert world.app.state.pack.questions  # read, and kept for the next request
