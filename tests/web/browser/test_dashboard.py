"""Issue 13's acceptance in a real browser: an organiser gets the sign-in link from the bot,
signs in with Chromium and uses the dashboard like a person would.

Three real pieces run: the bot process (``hocvuso run``) against the strict fake Bot API, the
web process (``hocvuso web``) and headless Chromium (Playwright). The test seeds a unit tree
with learners and certificates in the shared database; the organiser of one subtree types
``/dashboard`` in the chat, opens the link from the bot's message, presses "Đăng nhập" and
checks that the overview's figures equal ``/report``'s (asked in the chat, for the same data),
drills down into a sub-unit, downloads the XLSX (compared cell by cell with /report), sees the
overview on a phone (390×844) and in English; another unit's URL, a used link, an expired link
and a sign-out without the CSRF token are refused.

Every page visited is screenshotted (full page) into ``tests/artifacts/browser/<test>-<db>/``
(git-ignored; the path is printed), the browser console shows no error and no uncaught
exception, and axe-core (vendored from npm, see ``vendor/README.md``) reports no serious or
critical violation. The dashboard's CSP (``default-src 'self'``) forbids injected scripts, so
axe runs in a second browser context with ``bypass_csp`` on a copy of the page (the same URL,
the same HTML as the browser rendered it, fulfilled by Playwright): the pages under test keep
their CSP, nothing is requested twice, and pages answered to a POST can be checked too.

The main test runs on SQLite and on PostgreSQL (the e2e harness's ``database_url``): the bot
and the web process are started once per database, about ten seconds each.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import openpyxl
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col, select

from hocvuso.content.loader import Pack, load_pack
from hocvuso.organising import dashboard
from hocvuso.organising import permissions as perm
from hocvuso.storage import db
from hocvuso.storage.models import Learner
from hocvuso.storage.organising import AuditEntry, Role
from tests.e2e.harness import BotProcess
from tests.e2e.harness import Learner as Person
from tests.factories import add_learner, add_units, grant
from tests.fakes.telegram_api import FakeTelegram
from tests.web.browser.conftest import ARTIFACTS, AXE
from tests.web.server import WebProcess

if TYPE_CHECKING:
    from playwright.async_api import Browser, BrowserContext, Page

pytestmark = pytest.mark.e2e

ORGANISER_CHAT = 6101
ADMIN_CHAT = 6102
PEOPLE_CHAT = 6200  # PEOPLE[i] talks in chat PEOPLE_CHAT + i
UNITS = (
    ("TINH", "Tỉnh Thử Nghiệm", None),
    ("SO", "Sở Thông tin", "TINH"),
    ("SO-P1", "Phòng Một", "SO"),
    ("SO-P2", "Phòng Hai", "SO"),
    ("SO-P2-T", "Tổ Hai", "SO-P2"),
    ("KHAC", "Sở Khác", "TINH"),
)
# name, unit, certified at level 1, active in the last 7 days
PEOPLE = (
    ("Nguyễn Thị Lan", "SO-P1", True, True),
    ("Trần Văn Minh", "SO-P1", False, True),
    ("Lê Thị Hoa", "SO-P1", True, False),
    ("Phạm Quốc Hùng", "SO-P2", False, False),
    ("Võ Thị Thu", "SO-P2-T", True, True),
    ("Đặng Văn Long", "SO", True, True),
    ("Bùi Thị Ngọc", "KHAC", True, True),
    ("Hồ Văn Khác", "KHAC", False, True),
)
LINK = re.compile(r"http://127\.0\.0\.1:\d+/dashboard/login/\S+")
# One row of /report in the chat (the fake shows messages as plain text, without the HTML).
REPORT_ROW = re.compile(
    r"^(?P<name>.+) \((?P<code>[^()\n]+)\)\n"
    r"Tham gia: (?P<joined>\d+) · hoạt động 7 ngày: (?P<active>\d+)\n"
    r"Đạt chuẩn: (?P<certified>.*?) · tỷ lệ cấp (?P<level>\d): (?P<rate>\S+)$",
    re.MULTILINE,
)
USED_UP = "Đường dẫn đăng nhập này không còn dùng được"
NO_UNIT = "Không tìm thấy đơn vị này"
CSRF_REFUSED = "mã bảo vệ"
SIGNED_OUT = "Anh/chị đã đăng xuất"
SESSION_OVER = "Phiên đăng nhập đã hết hạn hoặc đã đăng xuất"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}

#: (code, joined, active, certified at the target level, certified %) of a row.
Figures = tuple[str, int, int, int, str]


# --- the stage: database, bot, web, the organiser in the chat -----------------------------------
@dataclass
class Stage:
    fake: FakeTelegram
    web: WebProcess
    bot: BotProcess
    organiser: Person
    organiser_id: int
    engine: AsyncEngine

    async def link_from_the_chat(self, person: Person | None = None) -> str:
        person = person or self.organiser
        await person.send("/dashboard")
        found = LINK.search(person.user.texts[-1])
        assert found, f"no sign-in link in the bot's answer: {person.user.texts[-1]!r}"
        return found.group(0)

    async def audit(self) -> list[tuple[str, str, str | None]]:
        """The organiser's audit entries: (action, via, page)."""
        async with db.make_sessionmaker(self.engine)() as session:
            found = await session.exec(
                select(AuditEntry)
                .where(AuditEntry.actor_id == self.organiser_id)
                .order_by(col(AuditEntry.id))
            )
            return [(e.action, e.via, (e.details or {}).get("page")) for e in found.all()]

    async def link_issued_at(self, when: datetime) -> str:
        """A link as /dashboard issues it, but at another time (an expired one: in the past)."""
        async with db.make_sessionmaker(self.engine)() as session, session.begin():
            actor = await perm.load_actor(session, self.organiser_id)
            token = await dashboard.do_issue_login_link(session, actor, when)
        return f"{self.web.base_url}/dashboard/login/{token}"


async def seed(engine: AsyncEngine) -> int:
    """The unit tree, its learners (some certified at level 1), the organiser of SO."""
    sessions = db.make_sessionmaker(engine)
    units = await add_units(sessions, *UNITS)
    now = datetime.now(UTC)
    joined = now - timedelta(days=40)
    for number, (name, unit, certified, active) in enumerate(PEOPLE):
        await add_learner(
            sessions,
            chat_id=PEOPLE_CHAT + number,
            unit=unit,
            name=name,
            created_at=joined,
            last_active_at=now - timedelta(days=2) if active else joined,
            certified=[(1, now - timedelta(days=3))] if certified else [],
        )
    organiser: Learner = await add_learner(
        sessions,
        unit="SO",
        name="Trần Tổ Chức",
        created_at=joined,
        last_active_at=now - timedelta(days=1),
        chat_id=ORGANISER_CHAT,
    )
    await grant(sessions, organiser, Role.ORGANISER, units["SO"])
    admin: Learner = await add_learner(
        sessions,
        unit="TINH",
        name="Lý Quản Trị",
        created_at=joined,
        last_active_at=now - timedelta(days=1),
        chat_id=ADMIN_CHAT,
    )
    await grant(sessions, admin, Role.ADMIN, None)
    assert organiser.id is not None
    return organiser.id


@pytest.fixture(scope="session")
def core_pack() -> Pack:
    return load_pack()


@pytest.fixture
async def stage(
    database_url: str, engine_db: AsyncEngine, tmp_path: Path, core_pack: Pack
) -> AsyncIterator[Stage]:
    organiser_id = await seed(engine_db)
    async with FakeTelegram() as fake:
        web_dir, bot_dir = tmp_path / "web", tmp_path / "bot"
        web_dir.mkdir()
        bot_dir.mkdir()
        data = str(tmp_path / "data")
        web = WebProcess(database_url, web_dir, HOCVUSO_DATA_DIR=data)
        # The bot's links point at the web process (plain http on 127.0.0.1: development).
        web.env["HOCVUSO_PUBLIC_URL"] = web.base_url
        bot = BotProcess(
            fake, database_url, bot_dir, HOCVUSO_PUBLIC_URL=web.base_url, HOCVUSO_DATA_DIR=data
        )
        await web.start()
        try:
            await bot.start()
            try:
                person = Person(fake, fake.user(ORGANISER_CHAT, "Trần Tổ Chức"), core_pack)
                for number, (name, *_) in enumerate(PEOPLE):
                    fake.user(PEOPLE_CHAT + number, name)  # they opened the bot long ago
                yield Stage(fake, web, bot, person, organiser_id, engine_db)
            finally:
                await bot.stop()
        finally:
            await web.stop()
    assert "Traceback" not in web.log(), web.log()[-3000:]
    assert "Traceback" not in bot.log(), bot.log()


# --- the browser: screenshots, console, axe -----------------------------------------------------
@dataclass
class Tour:
    """The pages one test visits: each is screenshotted, its console read, axe run on it."""

    browser: Browser
    base_url: str
    folder: Path
    seen: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    async def context(self, **options: Any) -> BrowserContext:
        options.setdefault("viewport", DESKTOP)
        return await self.browser.new_context(
            base_url=self.base_url, locale="vi-VN", accept_downloads=True, **options
        )

    async def page(self, context: BrowserContext) -> Page:
        page = await context.new_page()
        page.on(
            "console",
            lambda message: (
                self.errors.append(f"console {message.type}: {message.text}")
                if message.type == "error"
                else None
            ),
        )
        page.on("pageerror", lambda error: self.errors.append(f"uncaught: {error}"))
        # Which resource failed, when the console says one did (a stylesheet, an icon…).
        page.on(
            "response",
            lambda response: (
                self.errors.append(f"{response.status} for {response.url}")
                if response.status >= 400 and response.request.resource_type != "document"
                else None
            ),
        )
        return page

    async def look(self, page: Page, name: str, refused: int | None = None) -> None:
        """Screenshot, console and axe for the page on screen; ``refused``: the status it was
        expected to answer (the browser logs the document's status as a console error)."""
        shot = self.folder / f"{len(self.seen) + 1:02d}-{name}.png"
        await page.screenshot(path=str(shot), full_page=True)
        self.seen.append(shot.name)
        expected = f"the server responded with a status of {refused}" if refused else None
        errors = [e for e in self.errors if not (expected and expected in e)]
        self.errors.clear()
        assert not errors, f"browser console on {name} ({page.url}, {shot}): {errors}"
        await self.axe(page, name)

    async def axe(self, page: Page, name: str) -> None:
        url, html = page.url, await page.content()
        viewport = page.viewport_size or DESKTOP
        context = await self.browser.new_context(bypass_csp=True, viewport=viewport)
        try:
            probe = await context.new_page()

            async def copy(route: Any) -> None:
                await route.fulfill(status=200, content_type="text/html; charset=utf-8", body=html)

            await probe.route(lambda asked: asked == url, copy)
            await probe.goto(url)
            await probe.add_script_tag(path=str(AXE))
            results = await probe.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
        finally:
            await context.close()
        bad = [v for v in results["violations"] if v["impact"] in ("serious", "critical")]
        described = [
            f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']]}"
            for v in bad
        ]
        assert not bad, f"axe-core on {name} ({url}): " + "; ".join(described)


@pytest.fixture
def tour(browser: Browser, stage: Stage, request: pytest.FixtureRequest) -> Tour:
    dialect = "postgresql" if stage.engine.dialect.name == "postgresql" else "sqlite"
    folder = ARTIFACTS / f"{request.node.originalname}-{dialect}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return Tour(browser, stage.web.base_url, folder)


async def sign_in(
    stage: Stage, tour: Tour, context: BrowserContext, person: Person | None = None
) -> tuple[Page, str]:
    """/dashboard in the chat, the link opened in the browser, "Đăng nhập" pressed."""
    link = await stage.link_from_the_chat(person)
    page = await tour.page(context)
    answer = await page.goto(link)
    assert answer is not None and answer.status == 200
    await tour.look(page, "sign-in-link")
    await page.get_by_role("button", name="Đăng nhập").click()
    await page.wait_for_url(f"{stage.web.base_url}/dashboard")
    return page, link


# --- what the pages and the chat show -----------------------------------------------------------
def chat_report(text: str) -> tuple[list[Figures], Figures]:
    """/report's rows and its total, as figures."""
    rows: list[Figures] = []
    total: Figures | None = None
    for match in REPORT_ROW.finditer(text):
        level = int(match["level"])
        certified = dict(part.split(": ") for part in match["certified"].split(" · "))
        figures = (
            match["code"],
            int(match["joined"]),
            int(match["active"]),
            int(certified[f"C{level}"]),
            match["rate"],
        )
        if match["name"] == "Tổng cộng":
            total = figures
        else:
            rows.append(figures)
    assert rows and total is not None, f"not a /report answer: {text!r}"
    return rows, total


async def page_rows(page: Page) -> list[Figures]:
    cells: list[list[str]] = await page.eval_on_selector_all(
        "#rows-caption ~ tbody tr[data-code]",
        "rows => rows.map(r => [r.dataset.code,"
        " ...[...r.querySelectorAll('td.num')].map(td => td.textContent.trim())])",
    )
    return [(c[0], int(c[1]), int(c[2]), int(c[3]), c[4]) for c in cells]


async def page_cards(page: Page) -> list[str]:
    texts: list[str] = await page.eval_on_selector_all(
        "dl.cards dd", "cards => cards.map(d => d.textContent.trim())"
    )
    return texts


def xlsx_rows(path: Path) -> tuple[list[Figures], Figures]:
    """The report file's rows as figures (its total row has no code)."""
    sheet = openpyxl.load_workbook(path, read_only=True).active
    assert sheet is not None
    rows: list[Figures] = []
    total: Figures | None = None
    for values in list(sheet.iter_rows(values_only=True))[2:]:
        code, _name, joined, active, c1, *_ = values
        percent = values[8]
        rate = "—" if percent is None else f"{percent:g}".replace(".", ",") + "%"
        figures = (str(code or ""), int(joined), int(active), int(c1), rate)  # type: ignore[arg-type]
        if code:
            rows.append(figures)
        else:
            total = figures
    assert total is not None
    return rows, total


async def no_horizontal_scroll(page: Page) -> bool:
    """The document itself never scrolls sideways (wide tables scroll inside their box)."""
    fits: bool = await page.evaluate(
        "() => document.documentElement.scrollWidth <= window.innerWidth"
    )
    return fits


# --- the broadcast step (filled in when the broadcasts page is merged) -------------------------
async def send_broadcast_and_watch(page: Page, stage: Stage, tour: Tour, text: str) -> None:
    """Compose → preview with the reach → confirm → the progress page, polled by htmx, until it
    says the sending is done; the learners of the organiser's subtree (and nobody else) got the
    message from the bot, through the fake Telegram."""
    await page.goto("/dashboard/broadcasts/new")
    await tour.look(page, "broadcast-compose")
    await page.locator("#unit").select_option("SO")
    await page.locator("#text").fill(text)
    await page.get_by_role("button", name="Xem trước").click()
    await page.wait_for_url("**/dashboard/broadcasts/preview")
    await tour.look(page, "broadcast-preview")
    reach_line = await page.locator("p[role=status]").inner_text()
    reach = re.search(r"tới (\d+) học viên của Sở Thông tin", reach_line)
    assert reach, reach_line
    assert text in await page.locator(".message-text").inner_text()

    await page.get_by_role("button", name="Gửi thông báo").click()
    await page.wait_for_url(re.compile(r".*/dashboard/broadcasts/\d+$"))
    await tour.look(page, "broadcast-progress")
    # The figures are a fragment htmx polls every 2 s; the page itself is never reloaded.
    await page.get_by_text("✓ Đã gửi xong.").wait_for(timeout=90_000)
    await tour.look(page, "broadcast-done")
    progress = await page.locator("#progress").inner_text()
    assert f"Đã gửi\n{reach.group(1)}" in progress or f"Đã gửi {reach.group(1)}" in progress, (
        progress
    )

    subtree = {PEOPLE_CHAT + i for i, person in enumerate(PEOPLE) if person[1].startswith("SO")}
    got = {
        chat_id
        for chat_id, user in stage.fake.users.items()
        if any(text in message for message in user.texts)
    }
    assert got == subtree | {ORGANISER_CHAT}, got
    assert len(got) == int(reach.group(1))


# --- the tests ----------------------------------------------------------------------------------
async def test_an_organiser_signs_in_from_the_chat_and_uses_the_dashboard(
    tour: Tour, stage: Stage
) -> None:
    await stage.organiser.send("/report")
    chat_rows, chat_total = chat_report(stage.organiser.user.texts[-1])
    assert {row[0] for row in chat_rows} == {"SO", "SO-P1", "SO-P2"}  # SO's subtree only

    context = await tour.context()
    page, link = await sign_in(stage, tour, context)
    await tour.look(page, "overview")

    # The overview: exactly /report's figures for the same data, nothing of other units.
    assert await page.locator("h1").inner_text() == "Tổng quan: Sở Thông tin"
    assert sorted(await page_rows(page)) == sorted(chat_rows)
    _code, joined, active, certified, rate = chat_total
    assert (await page_cards(page))[:3] == [str(joined), f"{certified} ({rate})", str(active)]
    body = await page.locator("main").inner_text()
    assert "Sở Khác" not in body and "KHAC" not in body

    # By keyboard: the first Tab reaches the skip link, Enter moves the focus to the content.
    await page.keyboard.press("Tab")
    assert await page.evaluate("() => document.activeElement.className") == "skip"
    await page.keyboard.press("Enter")
    assert await page.evaluate("() => document.activeElement.id") == "main"

    # The drill-down into a sub-unit: its figures and the learners directly in it.
    await page.get_by_role("link", name="Phòng Hai").click()
    await page.wait_for_url("**/dashboard/units/SO-P2")
    await tour.look(page, "unit-SO-P2")
    assert await page.locator("h1").inner_text() == "Phòng Hai (SO-P2)"
    people = await page.locator("main").inner_text()
    assert "Phạm Quốc Hùng" in people and "Võ Thị Thu" not in people  # Tổ Hai's is below
    assert [r[0] for r in await page_rows(page)] == ["SO-P2", "SO-P2-T"]
    await page.get_by_role("link", name="Tổ Hai").click()
    await page.wait_for_url("**/dashboard/units/SO-P2-T")
    await tour.look(page, "unit-SO-P2-T")
    assert "Võ Thị Thu" in await page.locator("main").inner_text()

    # The XLSX download of the overview: /report's file, the same figures.
    await page.goto("/dashboard")
    async with page.expect_download() as download_info:
        await page.get_by_role("link", name="XLSX").click()
    download = await download_info.value
    saved = tour.folder / download.suggested_filename
    await download.save_as(saved)
    assert saved.name.startswith("bao-cao-SO-") and saved.suffix == ".xlsx"
    file_rows, file_total = xlsx_rows(saved)
    assert sorted(file_rows) == sorted(chat_rows)
    assert file_total[1:] == chat_total[1:]

    # The same overview on a phone: nothing scrolls sideways but the table's own box.
    phone = await tour.context(viewport=PHONE, storage_state=await context.storage_state())
    small = await tour.page(phone)
    await small.goto("/dashboard")
    await tour.look(small, "overview-phone")
    assert await no_horizontal_scroll(small)
    await phone.close()

    # In English, through the header's link.
    await page.get_by_role("link", name="English").click()
    await page.wait_for_url("**/dashboard?*lang=en*")
    await tour.look(page, "overview-en")
    assert await page.locator("html").get_attribute("lang") == "en"
    assert (await page.locator("h1").inner_text()).startswith("Overview")
    await page.get_by_role("link", name="Tiếng Việt").click()
    await page.wait_for_url("**/dashboard?*lang=vi*")

    # Another unit's URL answers exactly like a unit that does not exist.
    unknown = await page.goto("/dashboard/units/KHONG-CO")
    assert unknown is not None and unknown.status == 404
    unknown_text = await page.locator("main").inner_text()
    other = await page.goto("/dashboard/units/KHAC")
    assert other is not None and other.status == 404
    await tour.look(page, "unit-of-another-subtree", refused=404)
    assert await page.locator("main").inner_text() == unknown_text
    assert NO_UNIT in unknown_text

    # The link from the chat was used: it opens nothing in another browser.
    stranger = await tour.context()
    again = await tour.page(stranger)
    answer = await again.goto(link)
    assert answer is not None and answer.status == 403
    await tour.look(again, "used-link", refused=403)
    assert USED_UP in await again.locator("main").inner_text()
    assert (await again.request.post(link)).status == 403
    assert (await again.goto("/dashboard")).status == 401  # type: ignore[union-attr]
    tour.errors.clear()  # that 401 is the refusal this step expects

    # An expired link (issued 11 minutes ago; links live 10) is refused.
    expired = await stage.link_issued_at(datetime.now(UTC) - timedelta(minutes=11))
    answer = await again.goto(expired)
    assert answer is not None and answer.status == 403
    await tour.look(again, "expired-link", refused=403)
    assert USED_UP in await again.locator("main").inner_text()
    await stranger.close()

    # Sign-out without the CSRF token is refused and changes nothing: first straight from the
    # page's request context, then the real button with the token stripped from the form.
    missing = await page.request.post("/dashboard/logout")
    assert missing.status == 403 and CSRF_REFUSED in await missing.text()
    await page.goto("/dashboard")

    async def without_token(route: Any) -> None:
        await route.continue_(post_data="")

    await page.route("**/dashboard/logout", without_token)
    await page.get_by_role("button", name="Đăng xuất").click()
    await page.wait_for_load_state()
    await tour.look(page, "sign-out-without-csrf", refused=403)
    assert CSRF_REFUSED in await page.locator("main").inner_text()
    await page.unroute("**/dashboard/logout")
    still = await page.goto("/dashboard")
    assert still is not None and still.status == 200

    # The real sign-out; the session is over afterwards.
    await page.get_by_role("button", name="Đăng xuất").click()
    await page.wait_for_load_state()
    await tour.look(page, "signed-out")
    assert SIGNED_OUT in await page.locator("main").inner_text()
    after = await page.goto("/dashboard")
    assert after is not None and after.status == 401
    await tour.look(page, "after-sign-out", refused=401)
    assert SESSION_OVER in await page.locator("main").inner_text()
    await context.close()

    assert not tour.errors, tour.errors
    stage.fake.assert_no_invalid_requests()
    # Every view and the download are in the audit log, the refusals change nothing in it.
    audit = await stage.audit()
    assert ("dashboard.link", "chat", None) in audit and ("dashboard.login", "web", None) in audit
    views = [page for action, via, page in audit if action == "dashboard.view" and via == "web"]
    assert views.count("unit") == 2 and "overview" in views
    assert [a for a in audit if a[0] == "dashboard.export"] == [
        ("dashboard.export", "web", "overview")
    ]
    assert audit[-1][:2] == ("dashboard.logout", "web")
    print(f"\nscreenshots ({len(tour.seen)}): {tour.folder}")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_an_organiser_sends_a_broadcast_and_watches_it_finish(
    tour: Tour, stage: Stage
) -> None:
    """SQLite only: the broadcast's storage is tested on both databases by its own tests; this
    one is about the pages and the bot finishing the sending."""
    context = await tour.context()
    page, _ = await sign_in(stage, tour, context)
    await send_broadcast_and_watch(page, stage, tour, "Chiều thứ Sáu họp trực tuyến về chữ ký số.")
    assert not tour.errors, tour.errors
    stage.fake.assert_no_invalid_requests()
    await context.close()
    print(f"\nscreenshots ({len(tour.seen)}): {tour.folder}")


async def test_the_axe_check_catches_a_serious_violation(browser: Browser, tmp_path: Path) -> None:
    """The page checks above could pass by never running axe: here it must find what a broken
    page has (a field without a label, an image without a text alternative)."""
    url = "http://127.0.0.1:9/broken"  # never reached: Playwright answers with the page
    broken = (
        '<!doctype html><html lang="vi"><head><title>Hỏng</title></head><body><main>'
        '<h1>Hỏng</h1><input type="text"><img src="data:,"></main></body></html>'
    )
    tour = Tour(browser, "http://127.0.0.1:9", tmp_path)
    context = await tour.context()
    page = await tour.page(context)

    async def serve(route: Any) -> None:
        await route.fulfill(status=200, content_type="text/html; charset=utf-8", body=broken)

    await page.route(url, serve)
    await page.goto(url)
    with pytest.raises(AssertionError) as found:
        await tour.axe(page, "broken")
    assert "label (critical)" in str(found.value) and "image-alt (critical)" in str(found.value)
    assert "['input']" in str(found.value)  # where: the element's selector
    await context.close()


#: Every page of the bar, by its link's text (vi), and what its heading says.
BAR = (
    ("Thông báo", "/dashboard/broadcasts"),
    ("Chiến dịch", "/dashboard/campaigns"),
    ("Người hướng dẫn", "/dashboard/mentors"),
    ("Câu hỏi", "/dashboard/questions"),
    ("Ghi nhớ", "/dashboard/retention"),
)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_every_page_of_the_bar_for_an_organiser_and_an_admin(
    tour: Tour, stage: Stage, core_pack: Pack
) -> None:
    """Each page reached from the bar, by a click, as an organiser and as an admin (who alone
    has the audit log): a screenshot, no console error, axe clean, on a desktop and on a phone
    (the document never scrolls sideways). SQLite only: the pages' figures are tested on both
    databases by their own tests (tests/web/dashboard/)."""
    admin = Person(stage.fake, stage.fake.user(ADMIN_CHAT, "Lý Quản Trị"), core_pack)
    for who, person, pages in (
        ("organiser", stage.organiser, BAR),
        ("admin", admin, (*BAR, ("Nhật ký", "/dashboard/audit"))),
    ):
        context = await tour.context()
        page, _ = await sign_in(stage, tour, context, person)
        links = page.get_by_role("navigation").get_by_role("link")
        bar = [await link.get_attribute("href") for link in await links.all()]
        assert [path for _, path in pages] == [p for p in bar if p and p.startswith("/dash")]
        for _name, path in pages:
            await page.locator(f"nav a[href='{path}']").click()
            await page.wait_for_url(f"**{path}")
            await tour.look(page, f"{who}-{path.rsplit('/', 1)[-1]}")
            assert await page.locator("h1").count() == 1
        phone = await tour.context(viewport=PHONE, storage_state=await context.storage_state())
        small = await tour.page(phone)
        for _name, path in pages:
            await small.goto(path)
            await tour.look(small, f"{who}-{path.rsplit('/', 1)[-1]}-phone")
            assert await no_horizontal_scroll(small), path
        await phone.close()
        await context.close()
    # The audit page is the admin's: the organiser's session gets the page of an unknown one.
    context = await tour.context()
    page, _ = await sign_in(stage, tour, context)
    refused = await page.goto("/dashboard/audit")
    assert refused is not None and refused.status == 404
    await tour.look(page, "organiser-audit-refused", refused=404)
    await context.close()
    assert not tour.errors, tour.errors
    stage.fake.assert_no_invalid_requests()
    print(f"\nscreenshots ({len(tour.seen)}): {tour.folder}")
