"""The overview and the unit drill-down: exactly the person's scope, the figures of /report,
learners named only with consent to the current terms, another unit's URL a plain 404, every
view and download audited.

Expected figures are counted by hand from tests/web/dashboard/conftest.py's world (target:
level 1, 100% by 31/12/2026, pace over 28 days; today 23/11/2026):
A (An: joined, active, not certified), A1 (Phương: certified, inactive),
A2 subtree (Hà, Mai, Xuân, Dũng and one on older terms: 5 joined, 3 active, 2 certified 3 days
ago: 3 missing at 2 per 28 days = 42 days, 04/01/2027, after the deadline), B1 (Đạt, Bình).
"""

from __future__ import annotations

import csv
import html
import io
import re

import openpyxl
from sqlmodel import col, select

from hocvuso.organising import exports, reports
from hocvuso.organising import permissions as perm
from hocvuso.organising.forecast import Target
from hocvuso.storage.models import Learner
from hocvuso.storage.organising import AuditEntry
from tests.web.dashboard.conftest import World

ROW = re.compile(r'<tr data-code="([^"]+)">(.*?)</tr>', re.S)
CELL = re.compile(r"<t[hd][^>]*>(.*?)</t[hd]>", re.S)
TAG = re.compile(r"<[^>]+>")


def table(page: str) -> dict[str, list[str]]:
    """The report table: cells per unit code (unit, joined, active, certified, %, forecast,
    in time), as plain text."""
    return {
        code: [" ".join(html.unescape(TAG.sub("", c)).split()) for c in CELL.findall(body)]
        for code, body in ROW.findall(page)
    }


async def last_audit(w: World) -> AuditEntry:
    async with w.sessions() as session:
        found = await session.exec(select(AuditEntry).order_by(col(AuditEntry.id).desc()))
        entry = found.first()
        assert entry is not None
        return entry


async def test_an_organiser_sees_their_subtree_with_the_figures_of_report(world: World) -> None:
    async with world.signed_in("an") as client:
        page = await client.get("/dashboard")
    assert page.status_code == 200
    rows = table(page.text)
    assert list(rows) == ["A", "A1", "A2"]  # nothing of B
    assert rows["A"][1:5] == ["1", "1", "0", "0%"]
    assert rows["A"][6] == "✗ không kịp"  # nobody certified lately: no date can be given
    assert rows["A1"][1:5] == ["1", "0", "1", "100%"]
    assert rows["A1"][6] == "✓ kịp"
    assert rows["A2"][1:5] == ["5", "3", "2", "40%"]
    assert "04/01/2027" in rows["A2"][5] and rows["A2"][6] == "✗ không kịp"
    assert "Lý Văn Bình" not in page.text and "Đơn vị B" not in page.text
    entry = await last_audit(world)
    assert (entry.actor_id, entry.action, entry.via, entry.unit_id, entry.details) == (
        world.id("an"),
        "dashboard.view",
        "web",
        world.units["A"].id,
        {"page": "overview"},
    )


async def test_the_download_is_reports_own_file_and_is_audited(world: World) -> None:
    async with world.signed_in("ha") as client:
        answer = await client.get("/dashboard/overview.csv")
        xlsx = await client.get("/dashboard/overview.xlsx")
    async with world.sessions() as session:
        actor = await perm.load_actor(session, world.id("ha"))
        _, report = await reports.access_report(session, actor, None, Target(), world.clock.now)
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
    assert answer.text == exports.to_csv(report)  # the same figures as /report, cell by cell
    assert 'filename="bao-cao-A2-2026-11-23.csv"' in answer.headers["content-disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None
    assert [c.value for c in sheet[3]][:4] == [*exports.rows(report)[0][:2], 3, 2]
    async with world.sessions() as session:
        found = await session.exec(
            select(AuditEntry).where(AuditEntry.action == "dashboard.export")
        )
        formats = [(e.actor_id, e.details["format"]) for e in found.all()]
    assert formats == [(world.id("ha"), "csv"), (world.id("ha"), "xlsx")]


async def test_filter_and_sort_the_table(world: World) -> None:
    async with world.signed_in("an") as client:
        only_a1 = table((await client.get("/dashboard", params={"q": "a1"})).text)
        late = table((await client.get("/dashboard", params={"late": "true"})).text)
        by_percent = table(
            (await client.get("/dashboard", params={"sort": "percent", "desc": "true"})).text
        )
        nothing = (await client.get("/dashboard", params={"q": "zzz"})).text
    assert list(only_a1) == ["A1"]
    assert list(late) == ["A", "A2"]
    assert list(by_percent) == ["A1", "A2", "A"]
    assert "Không có đơn vị nào khớp bộ lọc." in nothing


async def test_an_admin_sees_every_top_unit(world: World) -> None:
    async with world.signed_in("dat") as client:
        page = await client.get("/dashboard")
    assert list(table(page.text)) == ["A", "B"]
    assert "toàn hệ thống" in page.text


async def test_the_drill_down_names_only_learners_who_agreed_to_the_current_terms(
    world: World,
) -> None:
    async with world.signed_in("ha") as client:
        page = await client.get("/dashboard/units/A2")
    assert page.status_code == 200
    assert list(table(page.text)) == ["A2", "A2x"]
    people = re.findall(r'<th scope="row">([^<]+)</th>\s*<td class="num">(\d)</td>', page.text)
    assert [name for name, _ in people] == ["Hoàng Thị Hà", "Lê Thị Mai"]  # directly in A2
    assert "Cao Văn Cũ" not in page.text
    assert "1 học viên chưa đồng ý điều khoản hiện hành nên không hiện tên." in page.text
    mai = page.text.split("Lê Thị Mai</th>")[1].split("</tr>")[0]
    assert "✓ có" in mai and "21/11/2026" in mai  # certified, last active two days ago
    entry = await last_audit(world)
    assert (entry.action, entry.unit_id, entry.details) == (
        "dashboard.view",
        world.units["A2"].id,
        {"page": "unit"},
    )


async def test_the_learners_download_has_the_same_people_and_is_audited(world: World) -> None:
    async with world.signed_in("an") as client:
        answer = await client.get("/dashboard/units/A2x/learners.csv")
    lines = list(csv.reader(io.StringIO(answer.text)))
    assert lines[0][0] == "Họ tên"
    assert [(r[0], r[3]) for r in lines[1:]] == [("Đỗ Văn Dũng", "chưa"), ("Trần Văn Xuân", "có")]
    entry = await last_audit(world)
    assert (entry.action, entry.details) == ("dashboard.export", {"page": "unit", "format": "csv"})


async def test_another_units_url_answers_exactly_like_a_unit_that_does_not_exist(
    world: World,
) -> None:
    async with world.signed_in("ha") as client:
        missing = await client.get("/dashboard/units/NO-SUCH-UNIT")
        other = await client.get("/dashboard/units/A1")  # A's, not A2's
        parent = await client.get("/dashboard/units/A")
        overview = await client.get("/dashboard", params={"unit": "B"})
        download = await client.get("/dashboard/units/B1/learners.xlsx")
    assert missing.status_code == 404
    for answer in (other, parent, overview, download):
        assert (answer.status_code, answer.text) == (404, missing.text)
    assert "Không tìm thấy đơn vị này." in missing.text


async def test_english_on_request_and_kept(world: World) -> None:
    async with world.signed_in("an") as client:
        english = await client.get("/dashboard", params={"lang": "en"})
        kept = await client.get("/dashboard/units/A1")
        back = await client.get("/dashboard", params={"lang": "vi"})
    assert '<html lang="en">' in english.text and "Overview: Đơn vị A" in english.text
    assert "Learners directly in the unit" in kept.text
    assert "Tổng quan: Đơn vị A" in back.text


async def test_pages_are_private_and_labelled(world: World) -> None:
    async with world.signed_in("an") as client:
        page = await client.get("/dashboard")
        css = await client.get("/dashboard/static/dashboard.css")
    assert page.headers["cache-control"] == "no-store"
    assert page.headers["referrer-policy"] == "no-referrer"
    assert '<label for="q">' in page.text and '<label for="sort">' in page.text
    assert '<a class="skip" href="#main">' in page.text
    assert css.status_code == 200 and "--fg" in css.text


async def test_a_name_that_looks_like_a_formula_stays_text_in_the_learners_download(
    world: World,
) -> None:
    async with world.sessions() as session, session.begin():
        learner = await session.get(Learner, world.id("dung"))
        assert learner is not None
        learner.display_name = '=HYPERLINK("http://x")'
    async with world.signed_in("an") as client:
        as_csv = await client.get("/dashboard/units/A2x/learners.csv")
        as_xlsx = await client.get("/dashboard/units/A2x/learners.xlsx")
    names = [r[0] for r in csv.reader(io.StringIO(as_csv.text))][1:]
    assert names == ['\'=HYPERLINK("http://x")', "Trần Văn Xuân"]
    sheet = openpyxl.load_workbook(io.BytesIO(as_xlsx.content)).active
    assert sheet is not None
    cells = [sheet.cell(row, 1) for row in (2, 3)]
    assert [c.value for c in cells] == ['\'=HYPERLINK("http://x")', "Trần Văn Xuân"]
    assert [c.data_type for c in cells] == ["s", "s"]  # text, not a formula ("f")
