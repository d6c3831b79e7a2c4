"""The campaigns pages: a campaign's messages against its milestone, their reach and the change
in activity after each, within the person's scope only; another scope's campaign is the same 404
as one that does not exist; every view audited; Vietnamese and English.

The seeded campaign (tests/web/dashboard/conftest.py's world, today 23/11/2026 09:00 in Hà Nội):
milestone 03/12/2026; message 0 "14 days before" (19/11, sent: its broadcast and deliveries
exist), message 1 "on the day" (03/12, not due yet). The expected figures are counted below
from the seeded deliveries and answers, not read from the code.
"""

from __future__ import annotations

import csv
import html
import io
import re
from datetime import date, datetime, timedelta

import openpyxl
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col, select

from hocvuso.storage import tables
from hocvuso.storage.organising import AuditEntry
from tests.factories import add_answers, insert_delivery
from tests.organising.cli import hocvuso
from tests.web.dashboard.conftest import World

ROW = re.compile(r'<tr data-message="([^"]+)">(.*?)</tr>', re.S)
LISTED = re.compile(r'<tr data-campaign="(\d+)">')
CELL = re.compile(r"<t[hd][^>]*>(.*?)</t[hd]>", re.S)
TAG = re.compile(r"<[^>]+>")
WINDOW = timedelta(days=3)


def messages(page: str) -> dict[str, list[str]]:
    return {
        key: [" ".join(html.unescape(TAG.sub("", c)).split()) for c in CELL.findall(body)]
        for key, body in ROW.findall(page)
    }


def spec(milestone: str, trees: list[str]) -> dict[str, object]:
    return {
        "slug": f"chien-dich-{'-'.join(trees).lower()}",
        "name": f"Về đích {', '.join(trees)}",
        "milestone": milestone,
        "send_hour": 9,
        "audience": {"trees": trees},
        "messages": [
            {"at": "14 days before", "text": "Còn {days_left} ngày đến mốc {milestone}!"},
            {"at": "on the day", "text": "Hôm nay là mốc của chiến dịch."},
        ],
    }


async def add_campaign(
    database: AsyncEngine, trees: list[str], sent_at: datetime
) -> tuple[int, int]:
    """A campaign with its first message sent (a broadcast); returns (campaign, broadcast)."""
    async with database.begin() as connection:
        campaign = await connection.execute(
            insert(tables.CAMPAIGN)
            .values(
                slug=spec("2026-12-03", trees)["slug"],
                name=spec("2026-12-03", trees)["name"],
                milestone=date(2026, 12, 3),
                spec=spec("2026-12-03", trees),
                status="active",
                created_at=sent_at - timedelta(days=20),
                updated_at=sent_at - timedelta(days=20),
            )
            .returning(tables.CAMPAIGN.c.id)
        )
        campaign_id = int(campaign.scalar_one())
        broadcast = await connection.execute(
            insert(tables.BROADCAST)
            .values(
                kind="campaign",
                campaign_id=campaign_id,
                occurrence="0:2026-11-19",
                text="Còn {days_left} ngày",
                audience={"trees": trees},
                created_at=sent_at,
            )
            .returning(tables.BROADCAST.c.id)
        )
        return campaign_id, int(broadcast.scalar_one())


async def seed(w: World, database: AsyncEngine) -> dict[str, object]:
    """The campaign to A's tree, B's campaign, deliveries and answers around the message."""
    sent_at = datetime(2026, 11, 19, 2, 0, tzinfo=w.clock.now.tzinfo)  # 09:00 in Hà Nội
    campaign, broadcast = await add_campaign(database, ["A"], sent_at)
    other, other_broadcast = await add_campaign(database, ["B"], sent_at)
    states = {"an": "sent", "ha": "sent", "xuan": "sent", "dung": "sent", "mai": "pending"}
    for who, state in states.items():
        await insert_delivery(
            database,
            w.id(who),
            kind="campaign",
            broadcast_id=broadcast,
            state=state,
            sent_at=sent_at + timedelta(minutes=5) if state == "sent" else None,
            created_at=sent_at,
        )
    await insert_delivery(
        database,
        w.id("binh"),
        kind="campaign",
        broadcast_id=other_broadcast,
        state="sent",
        sent_at=sent_at,
        created_at=sent_at,
    )
    answers = {
        "an": [sent_at - timedelta(days=1), sent_at + timedelta(hours=1)],
        "xuan": [sent_at - timedelta(days=2)],
        "ha": [sent_at + timedelta(days=2)],
        "dung": [sent_at - timedelta(days=5), sent_at + timedelta(days=1)],  # 5 days: outside
        "mai": [sent_at + timedelta(hours=3)],  # not reached: not counted
        "binh": [sent_at + timedelta(days=1)],
    }
    for who, moments in answers.items():
        await add_answers(database, w.id(who), *moments)
    return {
        "campaign": campaign,
        "other": other,
        "sent_at": sent_at,
        "states": states,
        "answers": answers,
    }


def expected(seeded: dict[str, object], scope: set[str]) -> tuple[int, int, int, int]:
    """(audience, reached, active before, active after), counted from the seed."""
    states: dict[str, str] = seeded["states"]  # type: ignore[assignment]
    answers: dict[str, list[datetime]] = seeded["answers"]  # type: ignore[assignment]
    # The first copy went out 5 minutes after 09:00.
    first = seeded["sent_at"] + timedelta(minutes=5)  # type: ignore[operator]
    audience = [who for who in states if who in scope]
    reached = [who for who in audience if states[who] == "sent"]
    before = [w for w in reached if any(first - WINDOW <= m < first for m in answers.get(w, []))]
    after = [w for w in reached if any(first <= m < first + WINDOW for m in answers.get(w, []))]
    return len(audience), len(reached), len(before), len(after)


def pct(part: int, whole: int) -> str:
    return f"{round(100 * part / whole, 1):g}".replace(".", ",") + "%"


async def last_audit(w: World) -> AuditEntry:
    async with w.sessions() as session:
        found = await session.exec(select(AuditEntry).order_by(col(AuditEntry.id).desc()))
        entry = found.first()
        assert entry is not None
        return entry


A_TREE = {"an", "ha", "mai", "xuan", "dung", "phuong"}
A2_TREE = {"ha", "mai", "xuan", "dung"}


async def test_a_message_shows_its_reach_and_the_change_in_activity_after_it(
    world: World, database: AsyncEngine
) -> None:
    seeded = await seed(world, database)
    async with world.signed_in("an") as client:
        page = await client.get(f"/dashboard/campaigns/{seeded['campaign']}")
    assert page.status_code == 200
    rows = messages(page.text)
    assert list(rows) == ["0:2026-11-19", "1:2026-12-03"]
    audience, reached, before, after = expected(seeded, A_TREE)
    assert (audience, reached, before, after) == (5, 4, 2, 3)  # the seed is what we think
    sent = rows["0:2026-11-19"]
    assert sent[0] == "19/11/2026 09:00"
    assert sent[2] == "✓ đã gửi"
    assert sent[3] == f"{reached} / {audience} ({pct(reached, audience)})"
    assert sent[4] == f"{before} ({pct(before, reached)})"
    assert sent[5] == f"{after} ({pct(after, reached)})"
    points = f"{100 * (after - before) / reached:+.1f}".replace(".", ",")
    assert sent[6] == f"{after - before:+d} ({points} điểm %)"
    planned = rows["1:2026-12-03"]
    assert planned[0] == "03/12/2026 09:00"
    assert planned[2] == "○ chưa đến ngày"
    assert planned[3].startswith("— / ")
    assert planned[4:] == ["—", "—", "—"]
    # The timeline: one drawn point per message, labelled, the same figures in the table.
    assert page.text.count("<circle") == 2
    assert '<title id="timeline-title">' in page.text
    # Nothing inline that the CSP would refuse (the only script is htmx, from the app).
    assert "style=" not in page.text
    assert re.findall(r"<script[^>]*>", page.text) == [
        '<script src="/dashboard/static/htmx.min.js" defer>'
    ]


async def test_a_sub_unit_organiser_sees_only_their_learners_in_the_figures(
    world: World, database: AsyncEngine
) -> None:
    seeded = await seed(world, database)
    async with world.signed_in("ha") as client:
        page = await client.get(f"/dashboard/campaigns/{seeded['campaign']}")
    audience, reached, before, after = expected(seeded, A2_TREE)
    assert (audience, reached, before, after) == (4, 3, 1, 2)
    sent = messages(page.text)["0:2026-11-19"]
    assert sent[3] == f"{reached} / {audience} ({pct(reached, audience)})"
    assert sent[4] == f"{before} ({pct(before, reached)})"
    assert sent[5] == f"{after} ({pct(after, reached)})"


async def test_the_window_can_be_widened_and_an_unfinished_window_is_flagged(
    world: World, database: AsyncEngine
) -> None:
    seeded = await seed(world, database)
    async with world.signed_in("an") as client:
        page = await client.get(f"/dashboard/campaigns/{seeded['campaign']}?days=7")
    sent = messages(page.text)["0:2026-11-19"]
    # Seven days back also holds Dũng's answer five days before; seven days after the message
    # have not passed yet on 23/11.
    assert sent[4].startswith("3 ")
    assert "(chưa đủ ngày)" in sent[5]


async def test_the_list_shows_the_campaigns_of_the_scope_only(
    world: World, database: AsyncEngine
) -> None:
    seeded = await seed(world, database)
    async with world.signed_in("an") as client:
        mine = await client.get("/dashboard/campaigns")
    assert mine.status_code == 200
    assert LISTED.findall(mine.text) == [str(seeded["campaign"])]
    assert "Về đích A" in mine.text and "Về đích B" not in mine.text
    async with world.signed_in("dat") as client:  # the admin sees both
        every = await client.get("/dashboard/campaigns")
    assert sorted(LISTED.findall(every.text)) == sorted(
        [str(seeded["campaign"]), str(seeded["other"])]
    )


async def test_another_scopes_campaign_is_the_same_404_as_an_unknown_one(
    world: World, database: AsyncEngine
) -> None:
    seeded = await seed(world, database)
    async with world.signed_in("an") as client:
        other = await client.get(f"/dashboard/campaigns/{seeded['other']}")
        unknown = await client.get("/dashboard/campaigns/999999")
        not_a_number = await client.get("/dashboard/campaigns/abc")
        bad_window = await client.get(f"/dashboard/campaigns/{seeded['campaign']}?days=x")
        other_unit = await client.get(f"/dashboard/campaigns/{seeded['campaign']}?unit=B1")
        no_unit = await client.get(f"/dashboard/campaigns/{seeded['campaign']}?unit=ZZ")
    assert other.status_code == unknown.status_code == 404
    assert other.text == unknown.text == not_a_number.text
    assert "Về đích B" not in other.text
    assert bad_window.status_code == 200  # the default window, not an error page
    assert 'name="days" type="number" min="1" max="30" value="3"' in bad_window.text
    assert other_unit.status_code == no_unit.status_code == 404
    assert other_unit.text == no_unit.text


async def test_without_a_session_the_pages_answer_401(world: World, database: AsyncEngine) -> None:
    await seed(world, database)
    async with world.client() as client:
        page = await client.get("/dashboard/campaigns")
    assert page.status_code == 401


async def test_views_are_audited(world: World, database: AsyncEngine) -> None:
    seeded = await seed(world, database)
    async with world.signed_in("an") as client:
        await client.get("/dashboard/campaigns")
        listed = await last_audit(world)
        await client.get(f"/dashboard/campaigns/{seeded['campaign']}")
        viewed = await last_audit(world)
    assert (listed.action, listed.details["page"], listed.via) == (
        "dashboard.view",
        "campaigns",
        "web",
    )
    assert listed.unit_id == world.units["A"].id
    assert viewed.details == {"page": "campaigns", "campaign": seeded["campaign"]}


async def test_the_pages_speak_english(world: World, database: AsyncEngine) -> None:
    seeded = await seed(world, database)
    async with world.signed_in("an") as client:
        page = await client.get(f"/dashboard/campaigns/{seeded['campaign']}?lang=en")
        listing = await client.get("/dashboard/campaigns")  # the language is kept
    assert '<html lang="en">' in page.text
    sent = messages(page.text)["0:2026-11-19"]
    assert sent[2] == "✓ sent"
    assert sent[6].endswith("pp)")
    assert "Active 3 days before" in page.text
    assert "Copies delivered" in listing.text


async def test_the_command_line_reports_the_same_figures_over_everyone(
    world: World, database: AsyncEngine, database_url: str
) -> None:
    seeded = await seed(world, database)
    audience, reached, before, after = expected(seeded, A_TREE | {"binh"})
    result = await hocvuso(database_url, "campaign", "report", "chien-dich-a")
    assert result.exit_code == 0, result.output
    line = next(row for row in result.output.splitlines() if "19/11/2026 09:00" in row)
    cells = [c.strip() for c in line.strip("│ ").split("│")]
    assert cells[1:] == [
        "yes",
        f"{reached}/{audience}",
        str(before),
        str(after),
        f"{after - before:+d} ({100 * (after - before) / reached:+.1f} pp)",
    ]
    unknown = await hocvuso(database_url, "campaign", "report", "khong-co")
    assert unknown.exit_code == 1
    assert "not found" in unknown.output


async def test_the_messages_table_downloads_with_the_page_s_figures_and_is_audited(
    world: World, database: AsyncEngine
) -> None:
    seeded = await seed(world, database)
    audience, reached, before, after = expected(seeded, A_TREE)
    async with world.signed_in("an") as client:
        got = await client.get(f"/dashboard/campaigns/{seeded['campaign']}/messages.csv")
        assert got.status_code == 200
        assert "attachment" in got.headers["content-disposition"]
        exported = await last_audit(world)
        book = await client.get(f"/dashboard/campaigns/{seeded['campaign']}/messages.xlsx")
        other = await client.get("/dashboard/campaigns/999999/messages.csv")
    lines = list(csv.reader(io.StringIO(got.text)))
    assert lines[0][:3] == ["Dự kiến gửi", "Tin nhắn", "Đã gửi?"] and len(lines[0]) == 9
    sent, planned = lines[1], lines[2]
    assert sent[0] == "2026-11-19 09:00" and sent[2] == "có"
    assert sent[3:8] == [str(reached), str(audience), str(before), str(after), str(after - before)]
    assert float(sent[8]) == round(100 * (after - before) / reached, 1)
    assert planned[2] == "chưa" and planned[3] == "" and planned[5:] == ["", "", "", ""]
    assert (exported.action, exported.details["page"], exported.details["format"]) == (
        "dashboard.export",
        "campaigns",
        "csv",
    )
    sheet = openpyxl.load_workbook(io.BytesIO(book.content)).active
    assert sheet is not None
    assert [c.value for c in sheet[2]][3:5] == [reached, audience]
    assert other.status_code == 404


async def test_the_list_downloads_only_the_scope_s_campaigns_with_the_page_s_figures(
    world: World, database: AsyncEngine
) -> None:
    seeded = await seed(world, database)
    _audience, reached, _before, _after = expected(seeded, A_TREE)
    async with world.signed_in("an") as client:
        got = await client.get("/dashboard/campaigns.csv")
        book = await client.get("/dashboard/campaigns.xlsx")
    assert got.status_code == book.status_code == 200
    [header, row] = list(csv.reader(io.StringIO(got.text)))
    assert len(header) == 7
    assert row[0] == "Về đích A" and row[3:5] == ["2", "1"]  # two messages, one sent
    assert int(row[6]) == reached  # the copies sent to A's learners
    assert "Về đích B" not in got.text
    sheet = openpyxl.load_workbook(io.BytesIO(book.content)).active
    assert sheet is not None and sheet.max_row == 2
    exported = await last_audit(world)
    assert (exported.action, exported.details["format"]) == ("dashboard.export", "xlsx")
