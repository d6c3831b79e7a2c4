"""The mentors page: coverage of the scope's lagging learners (the standing of /mentees) with and
without a mentor per sub-unit, suggested mentors with room in the learner's unit, and pairing
through the chat's do_pair (CSRF, refusals that change nothing, the pair visible in the mentor's
/mentees); scope, audit, Vietnamese and English.

tests/web/dashboard/conftest.py's world (today 23/11/2026, target level 1 by 31/12/2026, every
learner joined 40 days ago, nobody has started a lesson) plus two learners of A2x who have:
Tuấn (2 of the 3 lessons of level 1 done, active yesterday: ahead of the pace) and Lan (1 of 3,
active yesterday: behind). Dũng already has Mai as mentor.
"""

from __future__ import annotations

import csv
import html
import io
import re
from datetime import UTC, datetime, timedelta

import openpyxl
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col, select

from hocvuso.config import Settings
from hocvuso.content.loader import Pack
from hocvuso.learning import course
from hocvuso.organising import mentor_coverage, mentoring
from hocvuso.organising import permissions as perm
from hocvuso.organising.forecast import Target
from hocvuso.storage.organising import AuditEntry, MentorLink
from tests.factories import add_learner, insert_rows
from tests.web.dashboard.conftest import World

ROW = re.compile(r'<tr data-code="([^"]+)">(.*?)</tr>', re.S)
LEARNER = re.compile(r'<tr data-learner="(\d+)">(.*?)</tr>', re.S)
CELL = re.compile(r"<t[hd][^>]*>(.*?)</t[hd]>", re.S)
TAG = re.compile(r"<[^>]+>")
CSRF = re.compile(r'name="csrf" value="([^"]+)"')
OPTION = re.compile(r'<option value="(\d+)">')

#: Certified at level 1 in the world (the others are not).
CERTIFIED = {"mai", "xuan", "phuong", "binh"}


def cells(body: str) -> list[str]:
    return [" ".join(html.unescape(TAG.sub("", c)).split()) for c in CELL.findall(body)]


def coverage(page: str) -> dict[str, list[int]]:
    """Per row: learners, lagging, with a mentor, without."""
    return {code: [int(c) for c in cells(body)[1:]] for code, body in ROW.findall(page)}


async def seed(w: World, database: AsyncEngine, pack: Pack) -> None:
    w.app.state.pack = pack
    joined = w.clock.now - timedelta(days=40)
    yesterday = w.clock.now - timedelta(days=1)
    path = [ref.lesson.id for ref in course.path(pack, 1, "civil_servant")]
    for who, name, done in (("tuan", "Đinh Văn Tuấn", 2), ("lan", "Kiều Thị Lan", 1)):
        learner = await add_learner(
            w.sessions, unit="A2x", name=name, created_at=joined, last_active_at=yesterday
        )
        w.people[who] = learner
        await insert_rows(
            database,
            "lesson_progress",
            *(
                {
                    "learner_id": learner.id,
                    "lesson_id": lesson,
                    "level": 1,
                    "status": "done",
                    "started_at": joined,
                    "completed_at": yesterday,
                }
                for lesson in path[:done]
            ),
        )
    await insert_rows(
        database,
        "mentor_link",
        {"mentor_id": w.id("mai"), "mentee_id": w.id("dung"), "created_at": joined},
    )
    # The pace the test expects: 40 days of 78.9 from joining to the deadline's end.
    deadline = datetime(2026, 12, 31, 23, 59, 59, tzinfo=UTC)
    pace = (w.clock.now - joined) / (deadline - joined)
    assert 1 / len(path) < pace <= 2 / len(path)  # Lan is behind it, Tuấn is not


def lagging_of(w: World) -> set[str]:
    """Not certified and not Tuấn (ahead of the pace): not started, inactive or behind."""
    return {who for who in w.people if who not in CERTIFIED and who != "tuan"}


UNITS = {
    "A": {"an"},
    "A1": {"phuong"},
    "A2": {"ha", "mai", "old-terms"},
    "A2x": {"xuan", "dung", "tuan", "lan"},
}


def expected(w: World, *codes: str) -> list[int]:
    people = set().union(*(UNITS[c] for c in codes))
    lagging = people & lagging_of(w)
    mentored = lagging & {"dung"}
    return [len(people), len(lagging), len(mentored), len(lagging - mentored)]


async def test_coverage_per_sub_unit_counts_lagging_learners_with_and_without_a_mentor(
    world: World, database: AsyncEngine, pack: Pack
) -> None:
    await seed(world, database, pack)
    async with world.signed_in("an") as client:
        page = await client.get("/dashboard/mentors")
    assert page.status_code == 200
    rows = coverage(page.text)
    assert list(rows) == ["A", "A1", "A2"]  # nothing of B
    assert rows["A"] == expected(world, "A")
    assert rows["A1"] == expected(world, "A1")
    assert rows["A2"] == expected(world, "A2", "A2x")
    assert rows["A2"] == [7, 4, 1, 3]  # the seed is what we think


async def test_unmentored_lagging_learners_are_named_only_with_consent(
    world: World, database: AsyncEngine, pack: Pack
) -> None:
    await seed(world, database, pack)
    async with world.signed_in("ha") as client:
        page = await client.get("/dashboard/mentors")
    listed = {int(i): cells(body) for i, body in LEARNER.findall(page.text)}
    assert set(listed) == {world.id("ha"), world.id("lan")}  # not Dũng (has Mai), not Tuấn
    assert "Cao Văn Cũ" not in page.text  # on older terms: counted only
    assert "1 học viên cần hỗ trợ chưa đồng ý" in page.text
    assert listed[world.id("lan")][2] == "chậm tiến độ"
    assert listed[world.id("ha")][2] == "chưa bắt đầu"
    assert "Phạm Văn An" not in page.text  # A is above Hà's scope


async def test_mentors_with_room_in_the_learners_unit_are_suggested(
    world: World, database: AsyncEngine, pack: Pack
) -> None:
    await seed(world, database, pack)
    async with world.signed_in("an") as client:
        page = await client.get("/dashboard/mentors")
    rows = dict(LEARNER.findall(page.text))
    # Mai mentors in A2 and has one mentee of ten: suggested to Hà (A2), not to Lan (A2x).
    assert OPTION.findall(rows[str(world.id("ha"))]) == [str(world.id("mai"))]
    assert "Lê Thị Mai (1/10 học viên)" in rows[str(world.id("ha"))]
    assert OPTION.findall(rows[str(world.id("lan"))]) == []


async def test_pairing_links_them_as_the_chat_does_and_the_mentor_sees_the_mentee(
    world: World, database: AsyncEngine, pack: Pack, settings: Settings
) -> None:
    await seed(world, database, pack)
    async with world.signed_in("an") as client:
        page = await client.get("/dashboard/mentors")
        token = CSRF.search(page.text)
        assert token is not None
        answer = await client.post(
            "/dashboard/mentors/pair",
            data={"csrf": token.group(1), "mentor": world.id("mai"), "mentee": world.id("ha")},
        )
        assert answer.status_code == 303
        after = await client.get(answer.headers["location"])
    assert "Đã giao học viên cho người hướng dẫn" in after.text
    assert world.id("ha") not in {int(i) for i, _ in LEARNER.findall(after.text)}
    assert coverage(after.text)["A2"] == [7, 4, 2, 2]
    async with world.sessions() as session:
        mai = await perm.load_actor(session, world.id("mai"))
        target = Target(settings.target_level, settings.target_percent, settings.target_deadline)
        mine = await mentoring.mentees(
            session, mai, pack, target, world.clock.now, consent=settings.consent_version
        )
        linked = await session.exec(select(AuditEntry).where(AuditEntry.action == "mentor.link"))
        entry = linked.one()
    assert {m.id for m in mine} == {world.id("dung"), world.id("ha")}
    assert (entry.actor_id, entry.via) == (world.id("an"), "web")
    assert entry.details == {"mentor": world.id("mai"), "mentee": world.id("ha")}


async def links(w: World) -> set[tuple[int, int]]:
    async with w.sessions() as session:
        found = await session.exec(select(MentorLink.mentor_id, MentorLink.mentee_id))
        return set(found.all())


async def test_a_pairing_without_the_csrf_token_changes_nothing(
    world: World, database: AsyncEngine, pack: Pack
) -> None:
    await seed(world, database, pack)
    before = await links(world)
    async with world.signed_in("an") as client:
        for data in ({}, {"csrf": "wrong"}):
            answer = await client.post(
                "/dashboard/mentors/pair",
                data={**data, "mentor": world.id("mai"), "mentee": world.id("ha")},
            )
            assert answer.status_code == 403
            assert "mã bảo vệ" in answer.text
    assert await links(world) == before


async def test_refusals_say_why_and_change_nothing(
    world: World, database: AsyncEngine, pack: Pack, settings: Settings
) -> None:
    await seed(world, database, pack)
    before = await links(world)
    async with world.signed_in("ha") as client:
        token = CSRF.search((await client.get("/dashboard/mentors")).text)
        assert token is not None
        csrf = token.group(1)

        async def pair(mentor: str, mentee: str) -> str:
            answer = await client.post(
                "/dashboard/mentors/pair",
                data={"csrf": csrf, "mentor": world.id(mentor), "mentee": world.id(mentee)},
            )
            assert answer.status_code in {403, 409}, answer.status_code
            return html.unescape(answer.text)

        assert "đã có người hướng dẫn" in await pair("mai", "dung")  # Dũng has Mai
        assert "không thuộc phạm vi" in await pair("mai", "binh")  # B1: not Hà's
        world.app.state.settings = settings.model_copy(update={"mentor_capacity": 1})
        assert "đã có đủ 1 học viên" in await pair("mai", "lan")  # Mai has Dũng: full
    assert await links(world) == before


async def test_another_unit_is_a_404_and_views_are_audited(
    world: World, database: AsyncEngine, pack: Pack
) -> None:
    await seed(world, database, pack)
    async with world.signed_in("ha") as client:
        other = await client.get("/dashboard/mentors?unit=B1")
        unknown = await client.get("/dashboard/mentors?unit=ZZ")
        await client.get("/dashboard/mentors")
    assert other.status_code == unknown.status_code == 404
    assert other.text == unknown.text
    async with world.sessions() as session:
        found = await session.exec(select(AuditEntry).order_by(col(AuditEntry.id).desc()))
        entry = found.first()
    assert entry is not None
    assert (entry.action, entry.details, entry.unit_id) == (
        "dashboard.view",
        {"page": "mentors"},
        world.units["A2"].id,
    )


async def test_the_page_speaks_english(world: World, database: AsyncEngine, pack: Pack) -> None:
    await seed(world, database, pack)
    async with world.signed_in("an") as client:
        page = await client.get("/dashboard/mentors?lang=en")
    assert '<html lang="en">' in page.text
    assert "Learners needing help, per sub-unit" in page.text
    assert "behind the pace" in page.text
    assert "Lê Thị Mai (1/10 mentees)" in page.text


async def test_a_long_list_of_unmentored_learners_is_paged(
    world: World, database: AsyncEngine, pack: Pack, monkeypatch: pytest.MonkeyPatch
) -> None:
    await seed(world, database, pack)
    monkeypatch.setattr(mentor_coverage, "LISTED", 1)  # Hà and Lan: two pages of one
    async with world.signed_in("ha") as client:
        first = await client.get("/dashboard/mentors")
        second = await client.get("/dashboard/mentors", params={"page": "2"})
        wrong = await client.get("/dashboard/mentors", params={"page": "hai"})
    one = [int(i) for i, _ in LEARNER.findall(first.text)]
    two = [int(i) for i, _ in LEARNER.findall(second.text)]
    assert len(one) == len(two) == 1
    assert set(one + two) == {world.id("ha"), world.id("lan")}
    assert 'href="/dashboard/mentors?page=2" rel="next"' in first.text
    assert 'rel="prev"' not in first.text and "Học viên 1–1" in first.text
    assert 'href="/dashboard/mentors?page=1" rel="prev"' in second.text
    assert 'rel="next"' not in second.text and "Học viên 2–2" in second.text
    assert wrong.status_code == 400
    assert "“hai” không phải số trang hợp lệ" in html.unescape(wrong.text)
    assert [int(i) for i, _ in LEARNER.findall(wrong.text)] == one  # the first page, shown


async def test_the_coverage_and_the_unmentored_list_download_as_the_page_shows_them(
    world: World, database: AsyncEngine, pack: Pack
) -> None:
    await seed(world, database, pack)
    async with world.signed_in("ha") as client:
        page = await client.get("/dashboard/mentors")
        figures = await client.get("/dashboard/mentors/coverage.csv")
        people = await client.get("/dashboard/mentors/unmentored.csv")
        book = await client.get("/dashboard/mentors/unmentored.xlsx")
        unknown = await client.get("/dashboard/mentors/secrets.csv")
        mentors = await client.get("/dashboard/mentors/mentors.csv")
    assert figures.status_code == people.status_code == book.status_code == 200
    assert unknown.status_code == 404
    [header, *by_unit, total] = list(csv.reader(io.StringIO(figures.text)))
    assert header[1:] == [
        "Học viên",
        "Cần hỗ trợ",
        "Đã có người hướng dẫn",
        "Chưa có người hướng dẫn",
    ]
    shown = coverage(page.text)
    assert len(by_unit) == len(shown)
    for (code, numbers), row in zip(shown.items(), by_unit, strict=True):
        assert row[0].endswith(f"({code})") and [int(n) for n in row[1:]] == numbers
    assert total[0].endswith("(A2)") and [int(n) for n in total[1:]] == [
        sum(column) for column in zip(*shown.values(), strict=True)
    ]
    listed = {int(i): cells(body) for i, body in LEARNER.findall(page.text)}
    [header, *rows] = list(csv.reader(io.StringIO(people.text)))
    assert len(header) == 5
    assert sorted(r[0] for r in rows) == sorted(c[0] for c in listed.values())
    assert {r[0]: r[2] for r in rows}["Kiều Thị Lan"] == "chậm tiến độ"
    assert "Cao Văn Cũ" not in people.text  # on older terms: never named, in a file neither
    sheet = openpyxl.load_workbook(io.BytesIO(book.content)).active
    assert sheet is not None and sheet.max_row == len(rows) + 1
    async with world.sessions() as session:
        found = await session.exec(
            select(AuditEntry)
            .where(AuditEntry.action == "dashboard.export")
            .order_by(col(AuditEntry.id))
        )
        exports = [(e.details["table"], e.details["format"]) for e in found.all()]
    assert exports == [
        ("coverage", "csv"),
        ("unmentored", "csv"),
        ("unmentored", "xlsx"),
        ("mentors", "csv"),
    ]
    [_header, *listed_mentors] = list(csv.reader(io.StringIO(mentors.text)))
    names = {row[0]: row[2] for row in listed_mentors}
    assert (
        names[world.people["mai"].display_name] == f"1/{world.app.state.settings.mentor_capacity}"
    )
