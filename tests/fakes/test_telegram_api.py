"""The fake Bot API server behaves like Telegram for a real aiogram Bot, refusals included."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramConflictError,
    TelegramForbiddenError,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramUnauthorizedError,
)
from aiogram.methods import TelegramMethod
from aiogram.types import (
    BotCommand,
    BufferedInputFile,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputPollOption,
    LinkPreviewOptions,
)
from aiohttp import web

from tests.fakes import FakeTelegram, api_spec_path
from tests.fakes.formatting import parse_html, parse_markdown_v2

CHAT = 1001
ROOT = Path(__file__).resolve().parents[2]


def make_bot(fake: FakeTelegram, *, parse_mode: str | None = ParseMode.HTML) -> Bot:
    session = AiohttpSession(api=TelegramAPIServer.from_base(fake.base_url))
    return Bot(fake.token, session=session, default=DefaultBotProperties(parse_mode=parse_mode))


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as server:
        yield server


@pytest.fixture
async def bot(fake: FakeTelegram) -> AsyncIterator[Bot]:
    bot = make_bot(fake)
    yield bot
    await bot.session.close()


def keyboard(*data: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text=f"Nút {d}", callback_data=d)] for d in data]
    )


async def raw_call(
    fake: FakeTelegram, method: str, *, token: str | None = None, **kwargs: Any
) -> tuple[int, dict[str, Any]]:
    url = f"{fake.base_url}/bot{token or fake.token}/{method}"
    async with aiohttp.ClientSession() as session, session.post(url, **kwargs) as resp:
        return resp.status, await resp.json()


class Bogus(TelegramMethod[bool]):
    __returning__ = bool
    __api_method__ = "sendTelepathicMessage"


# -- the spec -------------------------------------------------------------------------------------


def test_spec_is_the_copy_vendored_in_the_repository(fake: FakeTelegram) -> None:
    path = api_spec_path()
    assert path.is_file()
    assert path.is_relative_to(ROOT / "tests" / "fakes" / "botapi")
    assert (path.parent / "LICENSE").read_text().startswith("MIT License")
    readme = (path.parent / "README.md").read_text()
    assert fake.spec.version in readme  # the README names the version it vendors


def test_limits_come_from_the_spec(fake: FakeTelegram) -> None:
    text = fake.spec.methods["sendMessage"].fields["text"].limit
    data = fake.spec.types["InlineKeyboardButton"].fields["callback_data"].limit
    assert (text.low, text.high, text.unit) == (1, 4096, "characters")  # type: ignore[union-attr]
    assert (data.low, data.high, data.unit) == (1, 64, "bytes")  # type: ignore[union-attr]


# -- basics with a real aiogram Bot ---------------------------------------------------------------


async def test_get_me_and_send_message_with_inline_keyboard(fake: FakeTelegram, bot: Bot) -> None:
    user = fake.user(CHAT, "Lan")
    me = await bot.get_me()
    assert me.is_bot and me.username == "hocvuso_test_bot" and me.id == fake.bot_id

    sent = await bot.send_message(CHAT, "<b>Xin chào</b> Lan &amp; bạn", reply_markup=keyboard("a"))
    assert sent.text == "Xin chào Lan & bạn"
    assert sent.entities is not None and sent.entities[0].type == "bold"
    assert sent.reply_markup is not None
    assert sent.reply_markup.inline_keyboard[0][0].callback_data == "a"

    [message] = user.messages
    assert message.message_id == sent.message_id
    assert message.text == "Xin chào Lan & bạn"
    assert message.raw_text == "<b>Xin chào</b> Lan &amp; bạn"
    assert message.callback_data == ["a"]
    fake.assert_no_invalid_requests()
    assert fake.method_counts["sendMessage"] == 1
    [call] = fake.calls_to("sendMessage")
    assert call.params["chat_id"] == CHAT and call.params["reply_markup"]["inline_keyboard"]


async def test_unknown_chat_is_not_found(fake: FakeTelegram, bot: Bot) -> None:
    with pytest.raises(TelegramBadRequest, match="chat not found"):
        await bot.send_message(424242, "hi")


async def test_wrong_token_is_unauthorized(fake: FakeTelegram) -> None:
    session = AiohttpSession(api=TelegramAPIServer.from_base(fake.base_url))
    other = Bot("42:not-the-token", session=session)
    try:
        with pytest.raises(TelegramUnauthorizedError):
            await other.get_me()
    finally:
        await session.close()
    assert fake.errors[-1].error_code == 401


async def test_unknown_method_is_not_found(fake: FakeTelegram, bot: Bot) -> None:
    with pytest.raises(TelegramNotFound):
        await bot(Bogus())
    status, body = await raw_call(fake, "sendTelepathicMessage")
    assert status == 404
    assert body == {"ok": False, "error_code": 404, "description": "Not Found"}


async def test_method_names_ignore_case_like_telegram(fake: FakeTelegram) -> None:
    status, body = await raw_call(fake, "GETME")
    assert status == 200 and body["result"]["is_bot"] is True


# -- parameters in every encoding -----------------------------------------------------------------


async def test_parameters_from_json_form_query_and_multipart(fake: FakeTelegram) -> None:
    user = fake.user(CHAT)
    markup = {"inline_keyboard": [[{"text": "ok", "callback_data": "ok"}]]}
    assert (await raw_call(fake, "sendMessage", json={"chat_id": CHAT, "text": "json"}))[0] == 200
    form = {"chat_id": str(CHAT), "text": "form", "reply_markup": json.dumps(markup)}
    assert (await raw_call(fake, "sendMessage", data=form))[0] == 200
    assert (await raw_call(fake, "sendMessage", params={"chat_id": CHAT, "text": "query"}))[
        0
    ] == 200
    data = aiohttp.FormData()
    data.add_field("chat_id", str(CHAT))
    data.add_field("document", b"%PDF-1.4", filename="bai1.pdf")
    assert (await raw_call(fake, "sendDocument", data=data))[0] == 200
    assert [m.text for m in user.messages[:3]] == ["json", "form", "query"]
    assert user.messages[1].reply_markup == markup
    assert user.messages[3].document is not None
    assert user.messages[3].document.data == b"%PDF-1.4"


async def test_undocumented_parameters_are_refused_in_strict_mode(fake: FakeTelegram) -> None:
    assert fake.strict  # the default, and what the suite uses
    user = fake.user(CHAT)
    status, body = await raw_call(
        fake, "sendMessage", json={"chat_id": CHAT, "text": "hi", "colour": "blue"}
    )
    assert status == 400
    assert body == {
        "ok": False,
        "error_code": 400,
        "description": 'Bad Request: parameter "colour" is not documented for sendMessage'
        f" in {fake.spec.version}",
    }
    assert user.messages == []
    [refused] = fake.invalid_requests
    assert refused.params["colour"] == "blue"


async def test_a_parameter_the_current_api_dropped_is_refused(fake: FakeTelegram) -> None:
    """``disable_web_page_preview`` became ``link_preview_options`` in Bot API 7.0."""
    fake.user(CHAT)
    old = make_bot(fake)
    old.default = DefaultBotProperties(parse_mode=ParseMode.HTML, link_preview_is_disabled=True)
    new = Bot(
        fake.token,
        session=AiohttpSession(api=TelegramAPIServer.from_base(fake.base_url)),
        default=DefaultBotProperties(link_preview=LinkPreviewOptions(is_disabled=True)),
    )
    try:
        with pytest.raises(TelegramBadRequest, match="disable_web_page_preview"):
            await old.send_message(CHAT, "https://dichvucong.gov.vn")
        await new.send_message(CHAT, "https://dichvucong.gov.vn")
    finally:
        await old.session.close()
        await new.session.close()
    assert fake.calls[-1].params["link_preview_options"] == {"is_disabled": True}


async def test_unknown_parameters_are_ignored_when_not_strict() -> None:
    async with FakeTelegram(strict=False) as fake:
        fake.user(CHAT)
        status, _ = await raw_call(
            fake, "sendMessage", json={"chat_id": CHAT, "text": "hi", "colour": "blue"}
        )
        assert status == 200
        assert fake.invalid_requests == []


async def test_missing_chat_id_is_rejected(fake: FakeTelegram, bot: Bot) -> None:
    with pytest.raises(TelegramBadRequest, match="chat_id is empty"):
        await bot.send_message(chat_id="", text="hi")  # aiogram leaves out empty values
    status, body = await raw_call(fake, "sendMessage", json={"text": "hi"})
    assert status == 400
    assert body == {"ok": False, "error_code": 400, "description": "Bad Request: chat_id is empty"}
    assert len(fake.invalid_requests) == 2


async def test_missing_required_parameter_of_any_method(fake: FakeTelegram) -> None:
    status, body = await raw_call(fake, "banChatMember", json={"chat_id": CHAT})
    assert status == 400 and "user_id" in body["description"]
    status, body = await raw_call(fake, "banChatMember", json={"chat_id": CHAT, "user_id": 5})
    assert status == 200 and body["result"] is True


# -- text and formatting --------------------------------------------------------------------------


async def test_text_limits(fake: FakeTelegram, bot: Bot) -> None:
    fake.user(CHAT)
    await bot.send_message(CHAT, "x" * 4096)
    with pytest.raises(TelegramBadRequest, match="message is too long"):
        await bot.send_message(CHAT, "x" * 4097)
    with pytest.raises(TelegramBadRequest, match="message text is empty"):
        await bot.send_message(CHAT, "")
    with pytest.raises(TelegramBadRequest, match="text must be non-empty"):
        await bot.send_message(CHAT, "  \n ")
    # The limit counts what the user sees, after the HTML tags are gone.
    await bot.send_message(CHAT, "<b>" + "x" * 4096 + "</b>")


async def test_malformed_html_is_rejected(fake: FakeTelegram, bot: Bot) -> None:
    fake.user(CHAT)
    for text, reason in [
        ("<b>unclosed", 'Can\'t find end tag corresponding to start tag "b"'),
        (
            "<b><i>test</b></i>",
            'Unmatched end tag at byte offset 10, expected "</i>", found "</b>"',
        ),
        ("<p>para</p>", 'Unsupported start tag "p" at byte offset 0'),
        ("1 < 2", 'Unsupported start tag "" at byte offset 2'),
        ("Hỏi & đáp", "Character '&' at byte offset"),
    ]:
        with pytest.raises(TelegramBadRequest, match="can't parse entities") as info:
            await bot.send_message(CHAT, text)
        assert reason in info.value.message
    sent = await bot.send_message(CHAT, '<a href="https://x.vn/?a=1&amp;b=2">link</a> 1 &lt; 2')
    assert sent.text == "link 1 < 2"


async def test_plain_text_without_parse_mode_is_not_parsed(fake: FakeTelegram) -> None:
    fake.user(CHAT)
    bot = make_bot(fake, parse_mode=None)
    try:
        sent = await bot.send_message(CHAT, "1 < 2 & <b>")
        assert sent.text == "1 < 2 & <b>"
    finally:
        await bot.session.close()


def test_html_and_markdown_v2_parsers() -> None:
    text, entities = parse_html("<b>đậm <i>nghiêng</i></b> 😀<code>x</code>")
    assert text == "đậm nghiêng 😀x"
    assert [(e["type"], e["offset"], e["length"]) for e in entities] == [
        ("bold", 0, 11),
        ("italic", 4, 7),
        ("code", 14, 1),  # the emoji counts two UTF-16 code units
    ]
    assert parse_markdown_v2(r"*đậm* \. [a](https://x\.vn)")[0] == "đậm . a"
    with pytest.raises(ValueError, match=r"Character '\.' is reserved"):
        parse_markdown_v2("hello.")


# -- inline keyboards -----------------------------------------------------------------------------


async def test_callback_data_is_limited_to_64_bytes(fake: FakeTelegram, bot: Bot) -> None:
    fake.user(CHAT)
    await bot.send_message(CHAT, "ok", reply_markup=keyboard("x" * 64))
    with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
        await bot.send_message(CHAT, "no", reply_markup=keyboard("x" * 65))
    # 33 characters but 66 bytes in UTF-8.
    with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
        await bot.send_message(CHAT, "no", reply_markup=keyboard("đ" * 33))


async def test_bad_inline_keyboards_are_rejected(fake: FakeTelegram) -> None:
    fake.user(CHAT)
    cases = [
        ([[{"text": "a", "callback_data": ""}]], "Text buttons are unallowed"),
        ([[{"text": "a"}]], "Text buttons are unallowed"),
        ([[{"callback_data": "a"}]], 'Can\'t find field "text"'),
        ([[{"text": "", "callback_data": "a"}]], "BUTTON_TEXT_INVALID"),
        ([[{"text": "a", "url": "ftp://x"}]], "Unsupported URL protocol"),
        ("bad", 'field "inline_keyboard" must be of type Array'),
    ]
    for rows, reason in cases:
        markup = json.dumps({"inline_keyboard": rows})
        status, body = await raw_call(
            fake, "sendMessage", data={"chat_id": str(CHAT), "text": "t", "reply_markup": markup}
        )
        assert status == 400, rows
        assert reason in body["description"], (rows, body)
    status, body = await raw_call(
        fake, "sendMessage", data={"chat_id": str(CHAT), "text": "t", "reply_markup": "{oops"}
    )
    assert body["description"] == "Bad Request: can't parse reply keyboard markup JSON object"


# -- editing, deleting, callback queries ----------------------------------------------------------


async def test_edit_message_text_like_telegram(fake: FakeTelegram, bot: Bot) -> None:
    user = fake.user(CHAT)
    sent = await bot.send_message(CHAT, "Câu 1", reply_markup=keyboard("a", "b"))
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_text(
            "Câu 1", chat_id=CHAT, message_id=sent.message_id, reply_markup=keyboard("a", "b")
        )
    with pytest.raises(TelegramBadRequest, match="message to edit not found"):
        await bot.edit_message_text("x", chat_id=CHAT, message_id=999)
    # Without reply_markup the keyboard goes away, as in Telegram.
    edited = await bot.edit_message_text("Câu 1 ✓", chat_id=CHAT, message_id=sent.message_id)
    assert not isinstance(edited, bool) and edited.edit_date is not None
    [message] = user.messages
    assert message.text == "Câu 1 ✓" and message.reply_markup is None and message.edited
    assert message.history[0]["text"] == "Câu 1"
    await bot.edit_message_reply_markup(
        chat_id=CHAT, message_id=sent.message_id, reply_markup=keyboard("c")
    )
    assert message.callback_data == ["c"]
    await bot.delete_message(CHAT, sent.message_id)
    assert message.deleted and user.visible_messages == []
    with pytest.raises(TelegramBadRequest, match="message to delete not found"):
        await bot.delete_message(CHAT, sent.message_id)


async def test_user_presses_a_button_and_the_bot_answers(fake: FakeTelegram, bot: Bot) -> None:
    user = fake.user(CHAT)
    sent = await bot.send_message(CHAT, "Chọn", reply_markup=keyboard("yes", "no"))
    query_id = await user.press(user.messages[0], "yes")
    assert user.pending_callback_queries == [query_id]
    [update] = await bot.get_updates()
    assert update.callback_query is not None
    assert update.callback_query.data == "yes"
    assert update.callback_query.message is not None
    assert update.callback_query.message.message_id == sent.message_id
    with pytest.raises(TelegramBadRequest, match="MESSAGE_TOO_LONG"):
        await bot.answer_callback_query(query_id, text="x" * 201)
    await bot.answer_callback_query(query_id, text="Đúng rồi!")
    assert user.callback_answers == ["Đúng rồi!"]
    assert user.pending_callback_queries == []
    with pytest.raises(TelegramBadRequest, match="query is too old"):
        await bot.answer_callback_query(query_id)
    with pytest.raises(AssertionError, match="no button"):
        await user.press(user.messages[0], "maybe")
    await user.press(user.messages[0], text="Nút no")


# -- documents and files --------------------------------------------------------------------------


async def test_send_document_get_file_and_download(fake: FakeTelegram, bot: Bot) -> None:
    user = fake.user(CHAT)
    content = "Chứng nhận".encode()
    sent = await bot.send_document(
        CHAT, BufferedInputFile(content, filename="chung-nhan.pdf"), caption="<b>Của bạn</b>"
    )
    assert sent.document is not None and sent.document.file_name == "chung-nhan.pdf"
    assert sent.caption == "Của bạn"
    document = user.messages[0].document
    assert document is not None and document.data == content
    assert document.mime_type == "application/pdf"
    file = await bot.get_file(sent.document.file_id)
    assert file.file_path is not None and file.file_size == len(content)
    downloaded = await bot.download_file(file.file_path)
    assert downloaded is not None and downloaded.read() == content
    with pytest.raises(TelegramBadRequest, match="message caption is too long"):
        await bot.send_document(CHAT, BufferedInputFile(b"x", "a.txt"), caption="x" * 1025)


# -- polls ----------------------------------------------------------------------------------------


async def test_poll_limits(fake: FakeTelegram, bot: Bot) -> None:
    fake.user(CHAT)
    for question, options, reason in [
        ("Q?", [], "at least one answer option"),
        ("Q?", [f"o{i}" for i in range(13)], "more than 12 options"),
        ("Q?", ["a", "x" * 101], "must not exceed 100"),
        ("Q?", ["a", " "], "must be non-empty"),
        ("x" * 301, ["a", "b"], "must not exceed 300"),
    ]:
        with pytest.raises(TelegramBadRequest, match=reason):
            await bot.send_poll(CHAT, question, options)  # type: ignore[arg-type]
    with pytest.raises(TelegramBadRequest, match="correct option"):
        await bot.send_poll(CHAT, "Q?", ["a", "b"], type="quiz")
    with pytest.raises(TelegramBadRequest, match="wrong correct option ID"):
        await bot.send_poll(CHAT, "Q?", ["a", "b"], type="quiz", correct_option_ids=[2])
    with pytest.raises(TelegramBadRequest, match="explanation is too long"):
        await bot.send_poll(
            CHAT, "Q?", ["a", "b"], type="quiz", correct_option_ids=[0], explanation="x" * 201
        )


async def test_quiz_answer_and_stop(fake: FakeTelegram, bot: Bot) -> None:
    user = fake.user(CHAT)
    sent = await bot.send_poll(
        CHAT,
        "2 + 2 = ?",
        [InputPollOption(text="3"), InputPollOption(text="4")],
        type="quiz",
        correct_option_ids=[1],
        is_anonymous=False,
        explanation="Vì 2 + 2 = 4",
    )
    assert sent.poll is not None and sent.poll.type == "quiz"
    await user.answer_poll(sent.poll.id, [1])
    updates = await bot.get_updates()
    answer = next(u.poll_answer for u in updates if u.poll_answer)
    assert answer.option_ids == [1] and answer.user is not None and answer.user.id == CHAT
    stopped = await bot.stop_poll(CHAT, sent.message_id)
    assert stopped.is_closed and stopped.options[1].voter_count == 1
    with pytest.raises(TelegramBadRequest, match="poll has already been closed"):
        await bot.stop_poll(CHAT, sent.message_id)


# -- commands, menu button, chat actions ----------------------------------------------------------


async def test_commands(fake: FakeTelegram, bot: Bot) -> None:
    fake.user(CHAT)
    commands = [BotCommand(command="start", description="Bắt đầu")]
    await bot.set_my_commands(commands, language_code="en")
    assert [c.command for c in await bot.get_my_commands(language_code="en")] == ["start"]
    assert await bot.get_my_commands() == []
    assert fake.get_commands("en") == [{"command": "start", "description": "Bắt đầu"}]
    for bad in [
        BotCommand(command="Start", description="x"),
        BotCommand(command="x" * 33, description="x"),
        BotCommand(command="học", description="x"),
        BotCommand(command="ok", description="x" * 257),
    ]:
        with pytest.raises(TelegramBadRequest, match="BOT_COMMAND"):
            await bot.set_my_commands([bad])
    too_many = [BotCommand(command=f"c{i}", description="d") for i in range(101)]
    with pytest.raises(TelegramBadRequest):
        await bot.set_my_commands(too_many)
    await bot.delete_my_commands(language_code="en")
    assert fake.get_commands("en") == []
    await bot.set_chat_menu_button(chat_id=CHAT)
    await bot.send_chat_action(CHAT, "typing")
    assert fake.users[CHAT].chat_actions == ["typing"]
    status, body = await raw_call(fake, "sendChatAction", json={"chat_id": CHAT, "action": "dance"})
    assert status == 400 and body["description"] == "Bad Request: wrong parameter action in request"
    # Objects are checked against the spec: an unknown MenuButton type, a BotCommand without
    # a description.
    status, body = await raw_call(
        fake, "setChatMenuButton", json={"chat_id": CHAT, "menu_button": {"type": "bogus"}}
    )
    assert status == 400 and "MenuButton" in body["description"]
    status, body = await raw_call(fake, "setMyCommands", json={"commands": [{"command": "a"}]})
    assert status == 400
    assert (
        body["description"]
        == "Bad Request: can't parse BotCommand: Can't find field \"description\""
    )


# -- getUpdates -----------------------------------------------------------------------------------


async def test_get_updates_offset_semantics(fake: FakeTelegram, bot: Bot) -> None:
    user = fake.user(CHAT, "Minh")
    for text in ("/start", "một", "hai"):
        await user.send_text(text)
    updates = await bot.get_updates()
    assert [u.message.text for u in updates if u.message] == ["/start", "một", "hai"]
    first = updates[0]
    assert first.message is not None and first.message.entities is not None
    assert first.message.entities[0].type == "bot_command"
    # Not confirmed yet: returned again.
    assert len(await bot.get_updates()) == 3
    # limit
    assert len(await bot.get_updates(limit=1)) == 1
    # offset confirms everything below it.
    rest = await bot.get_updates(offset=first.update_id + 1)
    assert [u.update_id for u in rest] == [u.update_id for u in updates[1:]]
    assert len(await bot.get_updates()) == 2
    # Negative offset: the last update only, earlier ones forgotten.
    last = await bot.get_updates(offset=-1)
    assert [u.update_id for u in last] == [updates[-1].update_id]
    assert fake.confirmed_offset == updates[-1].update_id
    assert await bot.get_updates(offset=updates[-1].update_id + 1) == []


async def polling(fake: FakeTelegram, polls: int = 1) -> None:
    """Until the fake holds the ``polls``-th getUpdates (its long poll waits from then on)."""
    await fake.wait_until(lambda: fake.method_counts["getUpdates"] >= polls, timeout=5)


async def test_long_polling_returns_when_an_update_arrives(fake: FakeTelegram, bot: Bot) -> None:
    user = fake.user(CHAT)
    poll = asyncio.create_task(bot.get_updates(timeout=10))
    await polling(fake)
    assert not poll.done()
    await user.send_text("xin chào")
    updates = await asyncio.wait_for(poll, 5)
    assert [u.message.text for u in updates if u.message] == ["xin chào"]
    started = asyncio.get_running_loop().time()
    assert await bot.get_updates(offset=updates[0].update_id + 1, timeout=1) == []
    assert asyncio.get_running_loop().time() - started >= 0.9


async def test_a_second_get_updates_terminates_the_first(fake: FakeTelegram, bot: Bot) -> None:
    first = asyncio.create_task(bot.get_updates(timeout=10))
    await polling(fake)
    second = asyncio.create_task(bot.get_updates(timeout=1))
    with pytest.raises(TelegramConflictError, match="terminated by other getUpdates"):
        await asyncio.wait_for(first, 5)
    assert await second == []


async def test_stop_ends_a_waiting_long_poll(bot: Bot) -> None:
    fake = FakeTelegram()
    await fake.start()
    session = AiohttpSession(api=TelegramAPIServer.from_base(fake.base_url))
    other = Bot(fake.token, session=session)
    try:
        poll = asyncio.create_task(other.get_updates(timeout=30))
        await polling(fake)
        await asyncio.wait_for(fake.stop(), 5)
        assert await asyncio.wait_for(poll, 5) == []
    finally:
        await session.close()


async def test_allowed_updates_filter_new_updates(fake: FakeTelegram, bot: Bot) -> None:
    user = fake.user(CHAT)
    await bot.get_updates(allowed_updates=["callback_query"])
    await user.send_text("ignored")
    assert await bot.get_updates() == []
    assert len(fake.dropped_updates) == 1


async def test_redelivery_after_a_crash(fake: FakeTelegram, bot: Bot) -> None:
    user = fake.user(CHAT)
    for text in ("a", "b", "c"):
        await user.send_text(text)
    updates = await bot.get_updates()
    assert await bot.get_updates(offset=updates[-1].update_id + 1) == []
    fake.redeliver_from(updates[1].update_id)
    again = await bot.get_updates()
    assert [u.update_id for u in again] == [u.update_id for u in updates[1:]]
    assert [u.message.text for u in again if u.message] == ["b", "c"]


# -- flood limits, blocking -----------------------------------------------------------------------


class Clock:
    """A clock for the fake's flood limits that moves only when told."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_flood_limit_surfaces_as_retry_after() -> None:
    clock = Clock()
    async with FakeTelegram(per_chat_rate=1.0, clock=clock) as fake:
        fake.user(CHAT)
        bot = make_bot(fake)
        try:
            await bot.send_message(CHAT, "một")
            with pytest.raises(TelegramRetryAfter) as info:
                await bot.send_message(CHAT, "hai")
            assert info.value.retry_after == 1
            assert fake.rate_limited_count == 1
            assert fake.invalid_requests == []  # a flood wait is not a bug
            clock.now += 0.9
            with pytest.raises(TelegramRetryAfter):
                await bot.send_message(CHAT, "hai")
            clock.now += 0.15
            await bot.send_message(CHAT, "hai")
        finally:
            await bot.session.close()


async def test_global_flood_limit() -> None:
    async with FakeTelegram(global_rate=2, clock=Clock()) as fake:
        for chat in range(1, 11):
            fake.user(chat)
        bot = make_bot(fake)
        try:
            results = await asyncio.gather(
                *(bot.send_message(chat, "tin") for chat in range(1, 11)), return_exceptions=True
            )
        finally:
            await bot.session.close()
        limited = sum(isinstance(r, TelegramRetryAfter) for r in results)
        assert limited == 8  # a burst of 2, and the clock stands still
        assert fake.rate_limited_count == limited and fake.request_count == 10
        assert fake.invalid_requests == []


async def test_blocked_user_is_forbidden(fake: FakeTelegram, bot: Bot) -> None:
    user = fake.user(CHAT)
    user.block()
    with pytest.raises(TelegramForbiddenError, match="bot was blocked by the user"):
        await bot.send_message(CHAT, "hi")
    [update] = await bot.get_updates()
    assert update.my_chat_member is not None
    assert update.my_chat_member.new_chat_member.status == "kicked"
    stranger = fake.user(2002, started=False)
    with pytest.raises(TelegramForbiddenError, match="can't initiate conversation"):
        await bot.send_message(stranger.chat_id, "hi")


# -- simulated users ------------------------------------------------------------------------------


async def test_wait_for_message(fake: FakeTelegram, bot: Bot) -> None:
    user = fake.user(CHAT)

    async def reply_later() -> None:
        await fake.wait_until(lambda: fake.updates)  # after the person wrote
        await bot.send_message(CHAT, "một")
        await bot.send_message(CHAT, "hai", reply_markup=keyboard("x"))

    task = asyncio.create_task(reply_later())
    await user.send_text("/start")
    assert (await user.wait_for_message()).text == "một"
    assert (await user.wait_for_message()).text == "hai"
    await task
    found = await user.wait_for_message(lambda m: bool(m.buttons), after=0)
    assert found.text == "hai"
    with pytest.raises(AssertionError, match="no matching bot message"):
        await user.wait_for_message(timeout=0.1)


# -- webhook --------------------------------------------------------------------------------------


@contextlib.asynccontextmanager
async def webhook_receiver(
    hook: Callable[[web.Request], Awaitable[web.StreamResponse]],
) -> AsyncIterator[str]:
    """A bot's webhook endpoint on a free port; yields its URL."""
    app = web.Application()
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield f"http://127.0.0.1:{port}/hook"
    finally:
        await runner.cleanup()


async def test_webhook_delivery_with_secret_and_reply(fake: FakeTelegram, bot: Bot) -> None:
    user = fake.user(CHAT)
    received: list[tuple[dict[str, Any], str | None]] = []
    fail_first = [True]

    async def hook(request: web.Request) -> web.Response:
        if fail_first[0]:
            fail_first[0] = False
            return web.Response(status=500)
        update = await request.json()
        received.append((update, request.headers.get("X-Telegram-Bot-Api-Secret-Token")))
        # Telegram executes a method call returned in the webhook response.
        return web.json_response({"method": "sendMessage", "chat_id": CHAT, "text": "đã nhận"})

    async with webhook_receiver(hook) as url:
        await bot.set_webhook(url, secret_token="s3cr3t_-")
        with pytest.raises(TelegramConflictError, match="webhook is active"):
            await bot.get_updates()
        await user.send_text("qua webhook")
        reply = await user.wait_for_message()
        assert reply.text == "đã nhận"
        [(update, secret)] = received
        assert update["message"]["text"] == "qua webhook" and secret == "s3cr3t_-"
        assert [d.status for d in fake.webhook_deliveries] == [500, 200]
        info = await bot.get_webhook_info()
        assert info.url.endswith("/hook") and info.pending_update_count == 0
        assert info.last_error_message == "Wrong response from the webhook: 500"
        await bot.delete_webhook()
        await user.send_text("qua polling")
        assert [u.message.text for u in await bot.get_updates() if u.message] == ["qua polling"]
    fake.assert_no_invalid_requests()


async def test_webhook_sends_chats_at_once_and_each_chat_in_order(
    fake: FakeTelegram, bot: Bot
) -> None:
    # As Telegram's server does: many requests at once, but a chat's next update only after
    # its previous one was answered.
    people = [fake.user(CHAT + i) for i in range(4)]
    out: dict[int, int] = {}
    most = 0
    seen: dict[int, list[str]] = {p.chat_id: [] for p in people}

    async def hook(request: web.Request) -> web.Response:
        nonlocal most
        update = await request.json()
        chat = update["message"]["chat"]["id"]
        assert chat not in out, "two updates of one chat were out at once"
        out[chat] = update["update_id"]
        most = max(most, len(out))
        await asyncio.sleep(0.05)
        seen[chat].append(update["message"]["text"])
        del out[chat]
        return web.Response(status=200)

    async with webhook_receiver(hook) as url:
        await bot.set_webhook(url)
        for n in range(3):
            for person in people:
                await person.send_text(str(n))
        last = fake.updates[-1]["update_id"]
        await fake.wait_until(lambda: fake.confirmed_offset > last, timeout=10)
    assert seen == {p.chat_id: ["0", "1", "2"] for p in people}
    assert most == len(people)


async def test_bad_webhook_secret_is_rejected(fake: FakeTelegram, bot: Bot) -> None:
    with pytest.raises(TelegramBadRequest, match="secret token"):
        await bot.set_webhook("https://example.org/hook", secret_token="không hợp lệ")


async def test_two_bots_on_one_server_keep_their_own_chats_and_identities(
    fake: FakeTelegram,
) -> None:
    other = fake.add_bot("7000000002:AAE_other-bot-token_xxxxxxxxxxx", bot_username="hue_bot")
    first, second = make_bot(fake), make_bot(other)
    try:
        assert (await first.get_me()).username == fake.bot_user["username"]
        assert (await second.get_me()).username == "hue_bot"
        # The same person writes to both bots: two chats, one per bot.
        here, there = fake.user(42, "An"), other.user(42, "An")
        await second.send_message(42, "from Huế")
        await first.send_message(42, "from Hà Nội")
        assert there.texts == ["from Huế"]
        assert here.texts == ["from Hà Nội"]
        assert other.method_counts["sendMessage"] == fake.method_counts["sendMessage"] == 1
    finally:
        await first.session.close()
        await second.session.close()
