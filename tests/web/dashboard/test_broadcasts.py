"""The broadcasts pages: compose → preview with the reach → confirm queues exactly one broadcast
(the chat's do_broadcast, the durable queue), whatever is clicked twice; every POST needs the
CSRF token; another unit is a plain 404; a bad text comes back with what was typed; the progress
fragment follows the queue and stops polling when done; htmx is served by the app.

The world (tests/web/dashboard/conftest.py): An organises A (A1, A2 (A2x)), Hà organises A2,
Đạt is an admin. Reachable learners (active, with a chat, agreed to the current terms): A: An;
A1: Phương; A2: Hà, Mai (Cũ agreed only to older terms); A2x: Xuân, Dũng; B1: Đạt, Bình.
"""

from __future__ import annotations

import asyncio
import csv
import html
import io
import re
from datetime import timedelta

import httpx
import openpyxl
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col, select

from hocvuso.delivery.queue import DeliveryQueue, Result
from hocvuso.organising import broadcasting
from hocvuso.organising import dashboard_broadcasts as pages
from hocvuso.storage.models import Learner
from hocvuso.storage.organising import AuditEntry
from hocvuso.storage.scheduling import Broadcast, Delivery, DeliveryState
from tests.web.dashboard.conftest import World

TEXT = "Họp trực tuyến lúc 14h ngày 25/11 <tại phòng A&B>\nXin mời anh/chị tham dự."
HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')
TAG = re.compile(r"<[^>]+>")


CONFIRM = re.compile(
    r'<form method="post" action="/dashboard/broadcasts" class="confirm">(.*?)</form>', re.S
)


def hidden(page: str) -> list[tuple[str, str]]:
    """The preview's confirm form, as a browser would send it."""
    found = CONFIRM.search(page)
    assert found, page
    return [(name, html.unescape(value)) for name, value in HIDDEN.findall(found.group(1))]


def form_data(pairs: list[tuple[str, str]]) -> dict[str, list[str]]:
    data: dict[str, list[str]] = {}
    for name, value in pairs:
        data.setdefault(name, []).append(value)
    return data


def words(page: str) -> str:
    return " ".join(html.unescape(TAG.sub(" ", page)).split())


def csrf_of(page: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found, page
    return found.group(1)


async def compose_csrf(client: httpx.AsyncClient) -> str:
    page = await client.get("/dashboard/broadcasts/new")
    assert page.status_code == 200, page.text
    return csrf_of(page.text)


async def previewed(
    client: httpx.AsyncClient, unit: str, text: str = TEXT, **more: object
) -> httpx.Response:
    csrf = await compose_csrf(client)
    data = {"csrf": csrf, "unit": unit, "text": text, "learn_button": "1", **more}
    return await client.post("/dashboard/broadcasts/preview", data=data)


async def broadcasts(w: World) -> list[Broadcast]:
    async with w.sessions() as session:
        return list((await session.exec(select(Broadcast).order_by(col(Broadcast.id)))).all())


async def recipients(w: World, broadcast_id: int) -> set[int]:
    async with w.sessions() as session:
        found = await session.exec(
            select(Delivery.learner_id).where(Delivery.broadcast_id == broadcast_id)
        )
        return {int(i) for i in found.all()}


async def audit_of(w: World, action: str) -> list[AuditEntry]:
    async with w.sessions() as session:
        found = await session.exec(
            select(AuditEntry).where(AuditEntry.action == action).order_by(col(AuditEntry.id))
        )
        return list(found.all())


async def test_compose_preview_confirm_queues_one_broadcast_to_the_units_learners(
    world: World,
) -> None:
    async with world.signed_in("an") as client:
        compose = await client.get("/dashboard/broadcasts/new")
        assert compose.status_code == 200
        # An may send to A or anything below it, nothing else.
        assert re.findall(r'<option value="([^"]*)"', compose.text) == ["A", "A1", "A2", "A2x"]
        preview = await previewed(client, "A")
        assert preview.status_code == 200, preview.text
        shown = words(preview.text)
        assert "Thông báo sẽ được gửi tới 6 học viên của Đơn vị A." in shown
        # Exactly as the learners will read it: the text literally, markup characters and all.
        assert "&lt;tại phòng A&amp;B&gt;" in preview.text
        assert "▶️ Học ngay" in shown
        assert await broadcasts(world) == []  # a preview sends nothing
        sent = await client.post("/dashboard/broadcasts", data=form_data(hidden(preview.text)))
    assert sent.status_code == 303, sent.text
    [made] = await broadcasts(world)
    assert sent.headers["location"] == f"/dashboard/broadcasts/{made.id}"
    assert made.audience == {"trees": ["A"]}
    assert made.text == broadcasting.message_text(TEXT)
    assert made.requested_by == world.id("an")
    assert made.id is not None
    expected = {world.id(w) for w in ("an", "phuong", "ha", "mai", "xuan", "dung")}
    assert await recipients(world, made.id) == expected
    [entry] = await audit_of(world, "broadcast.send")
    assert (entry.actor_id, entry.via, entry.details["broadcast"]) == (
        world.id("an"),
        "web",
        made.id,
    )
    assert entry.details["queued"] == 6
    views = await audit_of(world, "dashboard.view")
    assert [v.details.get("step") for v in views if v.details["page"] == "broadcasts"] == [
        "new",
        "new",
        "preview",
    ]
    assert TEXT not in str([v.details for v in views])  # texts never enter the log


async def test_confirming_the_same_preview_twice_queues_one_broadcast(world: World) -> None:
    async with world.signed_in("ha") as client:
        preview = await previewed(client, "A2")
        form = form_data(hidden(preview.text))
        first = await client.post("/dashboard/broadcasts", data=form)
        second = await client.post("/dashboard/broadcasts", data=form)
        # A new preview of the same text is a new broadcast: the organiser asked twice.
        again = await previewed(client, "A2")
        third = await client.post("/dashboard/broadcasts", data=form_data(hidden(again.text)))
    assert first.status_code == second.status_code == third.status_code == 303
    made = await broadcasts(world)
    assert len(made) == 2
    assert first.headers["location"] == second.headers["location"]
    assert first.headers["location"] == f"/dashboard/broadcasts/{made[0].id}"
    assert third.headers["location"] == f"/dashboard/broadcasts/{made[1].id}"
    assert made[0].id is not None
    assert len(await recipients(world, made[0].id)) == 4
    assert len(await audit_of(world, "broadcast.send")) == 2


async def test_a_confirmation_without_its_preview_key_sends_nothing_and_keeps_the_text(
    world: World,
) -> None:
    async with world.signed_in("ha") as client:
        preview = await previewed(client, "A2")
        form = [(k, v) for k, v in hidden(preview.text) if k != "nonce"]
        answer = await client.post("/dashboard/broadcasts", data=form_data(form))
    assert answer.status_code == 422
    assert "Trang xem trước này không còn dùng được" in words(answer.text)
    assert html.escape(TEXT, quote=False) in answer.text  # back in the textarea
    assert await broadcasts(world) == []


async def test_posts_without_the_right_csrf_token_are_refused_and_create_nothing(
    world: World,
) -> None:
    async with world.signed_in("an") as client:
        preview = await previewed(client, "A")
        form = dict(hidden(preview.text))
        for csrf in (None, "wrong"):
            data = {k: v for k, v in form.items() if k != "csrf"}
            if csrf is not None:
                data["csrf"] = csrf
            refused = await client.post("/dashboard/broadcasts", data=data)
            assert refused.status_code == 403
            assert "thiếu hoặc sai mã bảo vệ" in refused.text
            shown = await client.post("/dashboard/broadcasts/preview", data=data)
            assert shown.status_code == 403
    assert await broadcasts(world) == []
    assert await audit_of(world, "broadcast.send") == []


async def test_a_unit_outside_the_scope_is_refused_like_a_unit_that_does_not_exist(
    world: World,
) -> None:
    async with world.signed_in("ha") as client:
        csrf = await compose_csrf(client)
        answers = {}
        for unit in ("A", "B1", "NOPE"):
            data = {"csrf": csrf, "unit": unit, "text": TEXT}
            answers[unit] = await client.post("/dashboard/broadcasts/preview", data=data)
            data["nonce"] = "n" * 32
            sent = await client.post("/dashboard/broadcasts", data=data)
            assert sent.status_code == 404
    assert {a.status_code for a in answers.values()} == {404}
    assert answers["A"].text == answers["B1"].text == answers["NOPE"].text
    assert "Không tìm thấy đơn vị này." in answers["B1"].text
    assert await broadcasts(world) == []


async def test_an_empty_or_too_long_text_shows_the_form_again_with_what_was_typed(
    world: World,
) -> None:
    too_long = "&" * (pages.TEXT_LIMIT // 5 + 1)  # each & is sent as &amp;: 5 characters
    async with world.signed_in("an") as client:
        empty = await previewed(client, "A2", text="   \n ")
        long = await previewed(client, "A2", text=too_long)
        # What a browser sends: CRLF line breaks; the message keeps them as plain breaks.
        fine = await previewed(client, "A2", text="Dòng một\r\nDòng hai")
    assert empty.status_code == long.status_code == 422
    assert "Anh/chị chưa gõ nội dung thông báo." in words(empty.text)
    assert pages.TEXT_LIMIT == 3896 and len(too_long) * 5 == 3900
    assert "cần từ 1 đến 3.896 ký tự" in words(long.text)  # Vietnamese digit grouping
    assert "dài 3.900 ký tự" in words(long.text)
    assert html.escape(too_long) in long.text  # nothing typed is lost
    assert '<option value="A2" selected>' in long.text  # nor what was chosen
    assert 'aria-invalid="true"' in long.text
    assert fine.status_code == 200
    assert ("text", "Dòng một\nDòng hai") in hidden(fine.text)
    assert await broadcasts(world) == []


async def test_edit_on_the_preview_goes_back_to_the_form_with_everything(world: World) -> None:
    async with world.signed_in("an") as client:
        preview = await previewed(client, "A1")
        form = [*hidden(preview.text), ("edit", "1")]
        back = await client.post("/dashboard/broadcasts/preview", data=form_data(form))
    assert back.status_code == 200
    assert html.escape(TEXT, quote=False) in back.text
    assert '<option value="A1" selected>' in back.text
    assert 'name="learn_button" value="1" checked' in back.text
    assert await broadcasts(world) == []


async def test_admins_choose_levels_and_roles_organisers_cannot(world: World) -> None:
    async with world.sessions() as session, session.begin():
        xuan = await session.get(Learner, world.id("xuan"))
        assert xuan is not None
        xuan.level = 2
        session.add(xuan)
    async with world.signed_in("dat") as client:
        compose = await client.get("/dashboard/broadcasts/new")
        assert re.findall(r'<option value="([^"]*)"', compose.text)[:2] == ["", "A"]
        assert 'name="level" value="2"' in compose.text
        everyone = await previewed(client, "")
        assert "tới 8 học viên của toàn hệ thống" in words(everyone.text)
        level2 = await previewed(client, "A", level="2")
        assert "tới 1 học viên của Đơn vị A" in words(level2.text)
        assert "Chỉ gửi tới: Cấp 2" in words(level2.text)
        sent = await client.post("/dashboard/broadcasts", data=form_data(hidden(level2.text)))
        assert sent.status_code == 303
        bad = await previewed(client, "A", level="9")
        assert bad.status_code == 422
    [made] = await broadcasts(world)
    assert made.audience == {"trees": ["A"], "levels": [2]}
    assert made.id is not None
    assert await recipients(world, made.id) == {world.id("xuan")}
    async with world.signed_in("an") as client:
        compose = await client.get("/dashboard/broadcasts/new")
        assert 'name="level"' not in compose.text
        refused = await previewed(client, "A", level="2")
    assert refused.status_code == 403
    assert len(await broadcasts(world)) == 1


async def send_all(database: AsyncEngine, world: World, state: DeliveryState, limit: int) -> None:
    """A sender's part, without Telegram: claim and record the outcome."""
    queue = DeliveryQueue(database)
    jobs = await queue.claim(limit, timedelta(minutes=1), consent=world_consent(world))
    await queue.mark_sending(jobs)
    await queue.record([Result(j.id, state, j.attempts + 1, sent_at=world.clock.now) for j in jobs])


def world_consent(world: World) -> str:
    consent: str = world.app.state.settings.consent_version
    return consent


async def test_the_progress_fragment_follows_the_queue_and_stops_polling_when_done(
    world: World, database: AsyncEngine
) -> None:
    async with world.signed_in("ha") as client:
        preview = await previewed(client, "A2")
        sent = await client.post("/dashboard/broadcasts", data=form_data(hidden(preview.text)))
        url = sent.headers["location"]
        page = await client.get(url)
        assert page.status_code == 200
        assert 'hx-trigger="every 2s"' in page.text
        assert f'hx-get="{url}/progress"' in page.text
        assert "Số người nhận 4 Đã gửi 0 Không gửi được 0 Đang chờ gửi 4" in words(page.text)
        await send_all(database, world, DeliveryState.SENT, 3)
        part = await client.get(f"{url}/progress")
        assert part.status_code == 200
        assert "<html" not in part.text  # the fragment alone
        assert "Đã xử lý 75%" in words(part.text)
        assert "Đã gửi 3 Không gửi được 0 Đang chờ gửi 1" in words(part.text)
        assert 'hx-trigger="every 2s"' in part.text
        assert "hx-swap-oob" not in part.text  # the status line says "sending" until done
        await send_all(database, world, DeliveryState.BLOCKED, 3)
        done = await client.get(f"{url}/progress")
        listing = await client.get("/dashboard/broadcasts")
    assert "✓ Đã gửi xong." in words(done.text)
    assert "Đã gửi 3 Không gửi được 1 Đang chờ gửi 0" in words(done.text)
    assert "hx-trigger" not in done.text and "hx-get" not in done.text
    # The page's status line (role=status) is told once, when it is done.
    assert '<p id="bc-status" role="status">' in page.text
    assert '<div id="bc-status" hx-swap-oob="innerHTML">' in done.text
    assert f'href="{url}"' in listing.text
    # The page view is audited once; the polls are that view going on.
    views = [
        v for v in await audit_of(world, "dashboard.view") if v.details.get("broadcast") is not None
    ]
    assert len(views) == 1


async def test_another_units_broadcast_is_a_404_like_an_unknown_one(world: World) -> None:
    async with world.signed_in("an") as client:
        preview = await previewed(client, "A1")
        url = (
            await client.post("/dashboard/broadcasts", data=form_data(hidden(preview.text)))
        ).headers["location"]
        assert (await client.get(url)).status_code == 200
    async with world.signed_in("ha") as client:
        theirs = await client.get(url)
        unknown = await client.get("/dashboard/broadcasts/999999")
        part = await client.get(f"{url}/progress")
        listing = await client.get("/dashboard/broadcasts")
    assert theirs.status_code == unknown.status_code == part.status_code == 404
    assert theirs.text == unknown.text
    assert "Không tìm thấy thông báo này." in theirs.text
    assert part.headers["hx-refresh"] == "true"  # htmx reloads the page, which says why
    assert url not in listing.text
    assert "Chưa có thông báo nào." in words(listing.text)
    async with world.signed_in("dat") as client:  # the admin sees every one
        assert (await client.get(url)).status_code == 200
        assert url in (await client.get("/dashboard/broadcasts")).text


async def test_the_pages_speak_english(world: World) -> None:
    async with world.signed_in("an") as client:
        compose = await client.get("/dashboard/broadcasts/new?lang=en")
        preview = await previewed(client, "A")
        empty = await previewed(client, "A", text="")
    assert "Write a broadcast" in compose.text
    assert 'lang="en"' in compose.text
    assert "The broadcast will go to 6 learners of Đơn vị A." in words(preview.text)
    assert "▶️ Learn now" in preview.text
    assert "You have not typed a message yet." in words(empty.text)


async def test_htmx_is_served_by_the_app_and_loaded_without_inline_styles(world: World) -> None:
    async with world.client() as client:
        script = await client.get("/dashboard/static/htmx.min.js")
    assert script.status_code == 200
    assert script.headers["content-type"].startswith("text/javascript")
    assert script.text.startswith("var htmx=function()")
    async with world.signed_in("an") as client:
        page = await client.get("/dashboard/broadcasts")
    assert '<script src="/dashboard/static/htmx.min.js" defer></script>' in page.text
    assert '"includeIndicatorStyles":false' in page.text
    assert "<style" not in page.text and " style=" not in page.text
    assert "<script>" not in page.text


async def test_two_confirmations_of_one_preview_at_the_same_time_queue_one_broadcast(
    world: World,
) -> None:
    async with world.signed_in("ha") as client:
        preview = await previewed(client, "A2")
        form = form_data(hidden(preview.text))
        answers = await asyncio.gather(
            *(client.post("/dashboard/broadcasts", data=form) for _ in range(3))
        )
    made = await broadcasts(world)
    assert len(made) == 1
    assert [a.status_code for a in answers] == [303, 303, 303]
    assert {a.headers["location"] for a in answers} == {f"/dashboard/broadcasts/{made[0].id}"}


async def test_the_list_downloads_with_its_figures_only_of_the_scope_and_is_audited(
    world: World,
) -> None:
    async with world.signed_in("an") as client:
        preview = await previewed(client, "A1", text="=HYPERLINK(1)")
        await client.post("/dashboard/broadcasts", data=form_data(hidden(preview.text)))
        got = await client.get("/dashboard/broadcasts.csv")
        book = await client.get("/dashboard/broadcasts.xlsx")
    assert got.status_code == book.status_code == 200
    [header, row] = list(csv.reader(io.StringIO(got.text)))
    assert header[:4] == ["Thời gian", "Gửi tới", "Nội dung", "Số người nhận"]
    [made] = await broadcasts(world)
    assert made.id is not None
    total = len(await recipients(world, made.id))
    assert row[1] == "Phòng A1" and row[3:] == [str(total), "0", "0", str(total)]
    assert row[2].startswith("'=")  # a spreadsheet shows the text, never runs it
    sheet = openpyxl.load_workbook(io.BytesIO(book.content)).active
    assert sheet is not None and sheet.max_row == 2
    exports = await audit_of(world, "dashboard.export")
    assert [(e.details["page"], e.details["format"]) for e in exports] == [
        ("broadcasts", "csv"),
        ("broadcasts", "xlsx"),
    ]
    async with world.signed_in("ha") as client:  # A2's organiser: not theirs
        theirs = await client.get("/dashboard/broadcasts.csv")
    assert len(list(csv.reader(io.StringIO(theirs.text)))) == 1
