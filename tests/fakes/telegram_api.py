"""A fake Telegram Bot API server for end-to-end tests.

:class:`FakeTelegram` is a real HTTP server (aiohttp, 127.0.0.1, a free port) that speaks the Bot
API: ``{base_url}/bot{token}/{method}`` and ``{base_url}/file/bot{token}/{path}``. Point aiogram at
it with ``AiohttpSession(api=TelegramAPIServer.from_base(fake.base_url))``.

It is deliberately strict: every request is checked against the official specification
(``botapi/api.json``, see :mod:`tests.fakes.bot_api_spec`) and the documented limits, and what
Telegram would refuse is refused with Telegram's status code and wording, so that aiogram raises
the same exception it would raise in production. In strict mode (the default, and what the
suite uses) a parameter the specification does not list for the method is refused too, where
Telegram would silently ignore it: a client that still sends a parameter the current Bot API
dropped (such as ``disable_web_page_preview``) is caught. Every refused request is kept in
:attr:`FakeTelegram.errors`.

Simulated people are :class:`FakeUser` objects (``fake.user(chat_id)``): they send text, press
inline buttons, answer polls and can block the bot; they see the bot's messages as
:class:`FakeMessage` objects with edits applied.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import math
import mimetypes
import random
import re
import socket
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import aiohttp
from aiohttp import web

from tests.fakes.bot_api_spec import BotApiSpec, FieldSpec, MethodSpec, load_spec
from tests.fakes.formatting import (
    EntityParseError,
    parse_formatted,
    strip_text,
    utf16_len,
)

DEFAULT_TOKEN = "123456789:AAH-fake_token_for_hocvuso_tests_0123456"
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024
INLINE_KEYBOARD_MAX_BUTTONS = 100

NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the "
    "same as a current content and reply markup of the message"
)
QUERY_INVALID = "query is too old and response timeout expired or query ID is invalid"
BLOCKED = "Forbidden: bot was blocked by the user"
NOT_STARTED = "Forbidden: bot can't initiate conversation with a user"
CONFLICT_WEBHOOK = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)
CONFLICT_OTHER_POLL = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)
# Update types a bot receives when it never said which it wants (Bot API docs, getUpdates).
NOT_BY_DEFAULT = {"chat_member", "message_reaction", "message_reaction_count"}
CHAT_ACTIONS = {
    "typing",
    "upload_photo",
    "record_video",
    "upload_video",
    "record_voice",
    "upload_voice",
    "upload_document",
    "choose_sticker",
    "find_location",
    "record_video_note",
    "upload_video_note",
}
ENTITY_TYPES = {
    "mention",
    "hashtag",
    "cashtag",
    "bot_command",
    "url",
    "email",
    "phone_number",
    "bold",
    "italic",
    "underline",
    "strikethrough",
    "spoiler",
    "blockquote",
    "expandable_blockquote",
    "code",
    "pre",
    "text_link",
    "text_mention",
    "custom_emoji",
    "date_time",
}
INLINE_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
# Methods that post to a chat and count against Telegram's flood limits.
_FLOOD_LIMITED = re.compile(
    r"^(send(?!ChatAction)|copyMessage|forwardMessage|editMessage|stopPoll)"
)
# Methods refused with 403 when the person blocked the bot.
_CHAT_WRITE = re.compile(r"^(send|copyMessage|forwardMessage|editMessage|stopPoll)")
_COMMAND = re.compile(r"^[a-z0-9_]+$")
_SECRET = re.compile(r"^[A-Za-z0-9_-]+$")


class BotApiError(Exception):
    """A refusal, returned to the client as ``{"ok": false, "error_code", "description"}``."""

    def __init__(self, code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after


def _bad(reason: str) -> BotApiError:
    return BotApiError(400, f"Bad Request: {reason}")


@dataclass
class UploadedFile:
    """A file part of a multipart request."""

    name: str
    filename: str | None
    content_type: str | None
    data: bytes


@dataclass
class ApiCall:
    """One request the bot made (``source`` is "http" or "webhook-reply").

    ``params`` are typed like the spec says (chat_id an int, reply_markup a dict, a file as
    "<file 'name', N bytes>") when the method is known; otherwise as received.
    """

    method: str
    params: dict[str, Any]
    ok: bool
    error_code: int | None = None
    description: str | None = None
    result: Any = None
    at: float = field(default_factory=time.time)
    source: str = "http"


@dataclass
class CallbackAnswer:
    query_id: str
    text: str | None
    show_alert: bool
    url: str | None


@dataclass
class WebhookDelivery:
    update_id: int
    status: int | None
    error: str | None = None


@dataclass
class FakeDocument:
    file_id: str
    file_unique_id: str
    file_name: str | None
    mime_type: str | None
    data: bytes | None
    file_path: str

    @property
    def file_size(self) -> int:
        return len(self.data) if self.data is not None else 0

    def to_api(self) -> dict[str, Any]:
        result: dict[str, Any] = {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": self.file_size,
        }
        if self.file_name:
            result["file_name"] = self.file_name
        if self.mime_type:
            result["mime_type"] = self.mime_type
        return result


@dataclass
class FakePoll:
    id: str
    chat_id: int
    message_id: int
    question: str
    options: list[str]
    type: str = "regular"
    is_anonymous: bool = True
    allows_multiple_answers: bool = False
    allows_revoting: bool = True
    correct_option_ids: list[int] | None = None
    explanation: str | None = None
    is_closed: bool = False
    votes: dict[int, list[int]] = field(default_factory=dict)  # user id -> option ids
    open_period: int | None = None
    close_date: int | None = None

    def voter_counts(self) -> list[int]:
        counts = [0] * len(self.options)
        for chosen in self.votes.values():
            for i in chosen:
                counts[i] += 1
        return counts

    def to_api(self) -> dict[str, Any]:
        counts = self.voter_counts()
        result: dict[str, Any] = {
            "id": self.id,
            "question": self.question,
            "options": [
                {"persistent_id": str(i), "text": text, "voter_count": counts[i]}
                for i, text in enumerate(self.options)
            ],
            "total_voter_count": sum(1 for chosen in self.votes.values() if chosen),
            "is_closed": self.is_closed,
            "is_anonymous": self.is_anonymous,
            "type": self.type,
            "allows_multiple_answers": self.allows_multiple_answers,
            "allows_revoting": self.allows_revoting,
            "members_only": False,
        }
        if self.correct_option_ids is not None:
            result["correct_option_ids"] = list(self.correct_option_ids)
            result["correct_option_id"] = self.correct_option_ids[0]
        if self.explanation:
            result["explanation"] = self.explanation
        if self.open_period:
            result["open_period"] = self.open_period
        if self.close_date:
            result["close_date"] = self.close_date
        return result


@dataclass
class FakeMessage:
    """A message in a private chat, as the person sees it now (edits applied).

    ``text``/``caption`` are what Telegram shows, after the formatting was parsed (no HTML tags);
    ``raw_text``/``raw_caption`` are what the bot sent. ``history`` holds earlier versions.
    """

    message_id: int
    chat_id: int
    date: int
    from_bot: bool
    sender: dict[str, Any]
    chat: dict[str, Any]
    text: str | None = None
    entities: list[dict[str, Any]] = field(default_factory=list)
    raw_text: str | None = None
    caption: str | None = None
    caption_entities: list[dict[str, Any]] = field(default_factory=list)
    raw_caption: str | None = None
    parse_mode: str | None = None
    reply_markup: dict[str, Any] | None = None
    document: FakeDocument | None = None
    poll: FakePoll | None = None
    reply_to_message_id: int | None = None
    edit_date: int | None = None
    deleted: bool = False
    history: list[dict[str, Any]] = field(default_factory=list)

    @property
    def buttons(self) -> list[list[dict[str, Any]]]:
        """Rows of inline keyboard buttons (empty without an inline keyboard)."""
        if not self.reply_markup:
            return []
        return self.reply_markup.get("inline_keyboard", [])

    @property
    def callback_data(self) -> list[str]:
        """callback_data of every inline button, row by row."""
        return [b["callback_data"] for row in self.buttons for b in row if "callback_data" in b]

    @property
    def button_texts(self) -> list[str]:
        return [b["text"] for row in self.buttons for b in row]

    def button(self, text: str | None = None, callback_data: str | None = None) -> dict[str, Any]:
        """The inline button with this text (exact, else substring) or callback_data."""
        flat = [b for row in self.buttons for b in row]
        for b in flat:
            if callback_data is not None and b.get("callback_data") == callback_data:
                return b
            if text is not None and b.get("text") == text:
                return b
        if text is not None:
            for b in flat:
                if text in b.get("text", ""):
                    return b
        raise AssertionError(
            f"message {self.message_id} has no button text={text!r} callback_data="
            f"{callback_data!r}; buttons: {[(b.get('text'), b.get('callback_data')) for b in flat]}"
        )

    @property
    def edited(self) -> bool:
        return bool(self.history)

    def snapshot(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "entities": self.entities,
            "caption": self.caption,
            "caption_entities": self.caption_entities,
            "reply_markup": self.reply_markup,
        }

    def to_api(self) -> dict[str, Any]:
        result: dict[str, Any] = {
            "message_id": self.message_id,
            "from": self.sender,
            "chat": self.chat,
            "date": self.date,
        }
        if self.text is not None:
            result["text"] = self.text
            if self.entities:
                result["entities"] = self.entities
        if self.document is not None:
            result["document"] = self.document.to_api()
        if self.caption:
            result["caption"] = self.caption
            if self.caption_entities:
                result["caption_entities"] = self.caption_entities
        if self.poll is not None:
            result["poll"] = self.poll.to_api()
        if self.reply_markup and "inline_keyboard" in self.reply_markup:
            result["reply_markup"] = self.reply_markup
        if self.edit_date is not None:
            result["edit_date"] = self.edit_date
        return result


class FakeUser:
    """A person in a private chat with the bot (their user id is the chat id)."""

    def __init__(
        self,
        fake: FakeTelegram,
        chat_id: int,
        first_name: str,
        *,
        last_name: str | None,
        username: str | None,
        language_code: str | None,
        started: bool,
    ) -> None:
        self._fake = fake
        self.id = chat_id
        self.chat_id = chat_id
        self.first_name = first_name
        self.last_name = last_name
        self.username = username
        self.language_code = language_code
        self.started = started
        self.blocked = False
        self.messages: list[FakeMessage] = []  # the bot's messages, in order (deleted ones too)
        self.sent: list[FakeMessage] = []  # this person's own messages
        self.callback_answers: list[str | None] = []  # text of each answerCallbackQuery
        self.callback_answer_details: list[CallbackAnswer] = []
        self.chat_actions: list[str] = []
        self.menu_button: dict[str, Any] | None = None
        self._cursor = 0
        self._chat_instance = str(random.getrandbits(62))

    # -- what Telegram sends about this person -------------------------------------------------

    def to_api(self) -> dict[str, Any]:
        user: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.last_name:
            user["last_name"] = self.last_name
        if self.username:
            user["username"] = self.username
        if self.language_code:
            user["language_code"] = self.language_code
        return user

    def chat_api(self) -> dict[str, Any]:
        chat: dict[str, Any] = {"id": self.id, "type": "private", "first_name": self.first_name}
        if self.last_name:
            chat["last_name"] = self.last_name
        if self.username:
            chat["username"] = self.username
        return chat

    # -- what the person sees ------------------------------------------------------------------

    @property
    def visible_messages(self) -> list[FakeMessage]:
        return [m for m in self.messages if not m.deleted]

    @property
    def last_message(self) -> FakeMessage | None:
        visible = self.visible_messages
        return visible[-1] if visible else None

    @property
    def texts(self) -> list[str]:
        """Text (or caption) of every visible bot message."""
        return [m.text or m.caption or "" for m in self.visible_messages]

    @property
    def pending_callback_queries(self) -> list[str]:
        """Ids of this person's button presses the bot has not answered yet."""
        return [
            qid
            for qid, query in self._fake._callback_queries.items()
            if query.user is self and not query.answered
        ]

    # -- what the person does ------------------------------------------------------------------

    async def send_text(self, text: str) -> dict[str, Any]:
        """Send a text message to the bot; returns the Update. "/cmd ..." gets a bot_command."""
        if not text.strip():
            raise ValueError("Telegram clients do not send empty messages")
        if self.blocked:
            self.unblock()
        self.started = True
        message = self._fake._new_user_message(self, text)
        self._cursor = len(self.messages)
        return self._fake.enqueue_update({"message": message.to_api()})

    async def send_command(self, command: str, args: str = "") -> dict[str, Any]:
        """``/command args``."""
        text = f"/{command.lstrip('/')}" + (f" {args}" if args else "")
        return await self.send_text(text)

    async def press(
        self,
        message: FakeMessage | int,
        callback_data: str | None = None,
        *,
        text: str | None = None,
    ) -> str:
        """Press an inline button (by callback_data or by its text); returns the query id.

        Fails the test if the message is not the bot's, was deleted, or has no such button.
        """
        if isinstance(message, FakeMessage) and message.chat_id != self.chat_id:
            raise AssertionError(f"message {message.message_id} is in another chat")
        msg = self._fake._message(self.chat_id, message)
        if msg is None or not msg.from_bot or msg.deleted:
            raise AssertionError(f"no bot message {message!r} to press a button on")
        if callback_data is None and text is None:
            raise ValueError("press() needs callback_data or text")
        button = msg.button(text=text, callback_data=callback_data)
        if "callback_data" not in button:
            raise AssertionError(f"button {button!r} sends no callback_data")
        query_id = str(random.getrandbits(63))
        self._fake._callback_queries[query_id] = _CallbackQuery(self, self._fake.clock())
        self._cursor = len(self.messages)
        self._fake.enqueue_update(
            {
                "callback_query": {
                    "id": query_id,
                    "from": self.to_api(),
                    "message": msg.to_api(),
                    "chat_instance": self._chat_instance,
                    "data": button["callback_data"],
                }
            }
        )
        return query_id

    async def answer_poll(
        self, poll: FakeMessage | FakePoll | str, option_ids: list[int]
    ) -> dict[str, Any] | None:
        """Vote in a poll the bot sent (``[]`` retracts a vote).

        The bot receives a ``poll_answer`` update for a non-anonymous poll, and a ``poll`` update
        with the new counts (Telegram sends both for polls the bot sent). Returns the poll_answer
        update, or None for an anonymous poll.
        """
        fake_poll = self._fake._find_poll(poll)
        if fake_poll.is_closed:
            raise AssertionError(f"poll {fake_poll.id} is closed")
        if any(not 0 <= i < len(fake_poll.options) for i in option_ids):
            raise AssertionError(f"poll {fake_poll.id} has no option among {option_ids}")
        if len(option_ids) > 1 and not fake_poll.allows_multiple_answers:
            raise AssertionError(f"poll {fake_poll.id} allows one answer only")
        previous = fake_poll.votes.get(self.id)
        if previous and not fake_poll.allows_revoting:
            raise AssertionError(f"poll {fake_poll.id} does not allow changing the answer")
        fake_poll.votes[self.id] = sorted(set(option_ids))
        self._cursor = len(self.messages)
        answer_update = None
        if not fake_poll.is_anonymous:
            answer_update = self._fake.enqueue_update(
                {
                    "poll_answer": {
                        "poll_id": fake_poll.id,
                        "user": self.to_api(),
                        "option_ids": sorted(set(option_ids)),
                        "option_persistent_ids": [str(i) for i in sorted(set(option_ids))],
                    }
                }
            )
        self._fake.enqueue_update({"poll": fake_poll.to_api()})
        return answer_update

    def block(self, *, notify: bool = True) -> None:
        """Block the bot: sending to this chat now fails with 403. Telegram tells the bot with a
        ``my_chat_member`` update (status "kicked") unless ``notify`` is False."""
        if self.blocked:
            return
        self.blocked = True
        if notify:
            self._fake.enqueue_update({"my_chat_member": self._member_update("member", "kicked")})

    def unblock(self, *, notify: bool = True) -> None:
        if not self.blocked:
            return
        self.blocked = False
        if notify:
            self._fake.enqueue_update({"my_chat_member": self._member_update("kicked", "member")})

    def _member_update(self, old: str, new: str) -> dict[str, Any]:
        bot = self._fake.bot_user

        def member(status: str) -> dict[str, Any]:
            data: dict[str, Any] = {"status": status, "user": bot}
            if status == "kicked":
                data["until_date"] = 0
            return data

        return {
            "chat": self.chat_api(),
            "from": self.to_api(),
            "date": int(time.time()),
            "old_chat_member": member(old),
            "new_chat_member": member(new),
        }

    async def wait_for_message(
        self,
        predicate: Callable[[FakeMessage], bool] | None = None,
        timeout: float = 10.0,  # noqa: ASYNC109 - the public API of this helper
        after: int | None = None,
    ) -> FakeMessage:
        """The first bot message in ``messages[after:]`` that matches ``predicate``.

        Without ``after`` the search starts after the messages this person had already seen:
        those before their last action (send_text / press / answer_poll) and those returned by
        earlier calls. The wait then moves past the returned message, so successive calls return
        successive messages.
        """
        start = self._cursor if after is None else after
        deadline = time.monotonic() + timeout
        while True:
            for index in range(start, len(self.messages)):
                message = self.messages[index]
                if predicate is None or predicate(message):
                    self._cursor = index + 1
                    return message
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                seen = [m.text or m.caption for m in self.messages[start:]]
                errors = [(e.method, e.description) for e in self._fake.errors[-5:]]
                raise AssertionError(
                    f"no matching bot message for chat {self.chat_id} within {timeout}s; "
                    f"messages since #{start}: {seen}; recent refused requests: {errors}"
                )
            await self._fake._wait_change(remaining)

    def __repr__(self) -> str:
        return f"FakeUser(chat_id={self.chat_id}, first_name={self.first_name!r})"


@dataclass
class _CallbackQuery:
    user: FakeUser
    created: float
    answered: bool = False


def _queue_of(update: dict[str, Any]) -> object:
    """The webhook queue of an update: its chat (as Telegram's server keys them), else itself."""
    for kind in ("message", "edited_message", "channel_post", "edited_channel_post"):
        if kind in update:
            return ("chat", update[kind]["chat"]["id"])
    for payload in update.values():
        if isinstance(payload, dict) and isinstance(payload.get("from"), dict):
            return ("user", payload["from"]["id"])
    return ("update", update["update_id"])


class _Bucket:
    """A token bucket: ``rate`` requests per second, bursts of up to ``capacity``."""

    def __init__(self, rate: float, capacity: float, now: float) -> None:
        self.rate = rate
        self.capacity = capacity
        self.tokens = capacity
        self.updated = now

    def wait_time(self, now: float) -> float:
        elapsed = max(0.0, now - self.updated)
        self.tokens = min(self.capacity, self.tokens + elapsed * self.rate)
        self.updated = max(now, self.updated)
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.rate

    def take(self) -> None:
        self.tokens -= 1


Handler = Callable[[dict[str, Any]], Awaitable[Any]]


class FakeTelegram:
    """The fake Bot API server. See the module docstring."""

    def __init__(
        self,
        *,
        token: str = DEFAULT_TOKEN,
        bot_username: str = "hocvuso_test_bot",
        bot_first_name: str = "Học vụ số",
        global_rate: float | None = None,
        per_chat_rate: float | None = None,
        global_burst: float | None = None,
        per_chat_burst: float = 1,
        first_update_id: int = 1,
        strict_html_ampersand: bool = True,
        callback_query_ttl: float | None = None,
        webhook_retry_delay: float = 0.2,
        webhook_timeout: float = 30.0,
        host: str = "127.0.0.1",
        strict: bool = True,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.spec: BotApiSpec = load_spec()
        self.strict = strict
        # Seconds, for flood limits and callback-query ages: a test may pass its own and move
        # it forward instead of sleeping. Waits for the bot (wait_until, ...) use the real clock.
        self.clock = clock
        self.token = token
        self.bot_id = int(token.split(":", 1)[0])
        self.bot_user: dict[str, Any] = {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": bot_first_name,
            "username": bot_username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }
        self.host = host
        self.strict_html_ampersand = strict_html_ampersand
        self.callback_query_ttl = callback_query_ttl
        self.webhook_retry_delay = webhook_retry_delay
        self.webhook_timeout = webhook_timeout

        # Flood limits (None: unlimited).
        self.global_rate = global_rate
        self.per_chat_rate = per_chat_rate
        self._global_bucket = (
            _Bucket(global_rate, global_burst or max(1.0, math.ceil(global_rate)), clock())
            if global_rate
            else None
        )
        self._per_chat_burst = per_chat_burst
        self._chat_buckets: dict[int, _Bucket] = {}

        # Observability.
        self.calls: list[ApiCall] = []
        self.errors: list[ApiCall] = []
        self.request_count = 0
        self.rate_limited_count = 0
        self.method_counts: Counter[str] = Counter()
        # Calls held back by ``hold`` (a test freezes the bot mid-request), and how many were.
        self.held_calls = 0
        self._holds: dict[str, asyncio.Event] = {}

        # State.
        self.users: dict[int, FakeUser] = {}
        self.files: dict[str, FakeDocument] = {}
        self.polls: dict[str, FakePoll] = {}
        self.commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.default_menu_button: dict[str, Any] = {"type": "commands"}
        self.dropped_updates: list[dict[str, Any]] = []
        self.webhook_deliveries: list[WebhookDelivery] = []
        self._chat_messages: dict[int, dict[int, FakeMessage]] = {}
        self._message_ids: dict[int, itertools.count[int]] = {}
        self._callback_queries: dict[str, _CallbackQuery] = {}
        self._history: list[dict[str, Any]] = []
        self._next_update_id = first_update_id
        self._first_update_id = first_update_id
        self._floor = first_update_id  # updates below this id are confirmed
        # Webhook: updates answered with 2xx above the floor, and the chats with a request out.
        self._webhook_acked: set[int] = set()
        self._webhook_queues_in_flight: set[object] = set()
        update_types = [f for f in self.spec.types["Update"].fields if f != "update_id"]
        self._update_types = set(update_types)
        self._allowed_updates: set[str] = self._update_types - NOT_BY_DEFAULT
        self._poll_generation = 0
        self._changed = asyncio.Event()
        self._closing = False

        # Webhook.
        self.webhook_url: str | None = None
        self.webhook_secret: str | None = None
        self.webhook_max_connections = 40
        self.webhook_last_error: tuple[int, str] | None = None
        self._webhook_task: asyncio.Task[None] | None = None

        self._runner: web.AppRunner | None = None
        #: Other bots served by this server (``add_bot``), by token.
        self._bots: dict[str, FakeTelegram] = {}
        self._port: int | None = None
        self._handlers: dict[str, Handler] = {
            "getMe": self._get_me,
            "logOut": self._true,
            "close": self._true,
            "getUpdates": self._get_updates,
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "sendMessage": self._send_message,
            "editMessageText": self._edit_message_text,
            "editMessageCaption": self._edit_message_caption,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "deleteMessage": self._delete_message,
            "answerCallbackQuery": self._answer_callback_query,
            "sendDocument": self._send_document,
            "sendPoll": self._send_poll,
            "stopPoll": self._stop_poll,
            "setMyCommands": self._set_my_commands,
            "getMyCommands": self._get_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "setChatMenuButton": self._set_chat_menu_button,
            "getChatMenuButton": self._get_chat_menu_button,
            "sendChatAction": self._send_chat_action,
            "getFile": self._get_file,
        }

    # -- lifecycle -----------------------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application(client_max_size=MAX_UPLOAD_BYTES + 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, 0))
        self._port = sock.getsockname()[1]
        site = web.SockSite(self._runner, sock)
        await site.start()

    def add_bot(
        self, token: str, *, bot_username: str, bot_first_name: str = "Học vụ số"
    ) -> FakeTelegram:
        """Another bot on this server, as on Telegram's: same address, its own token, its own
        users, updates, webhook and flood limits (the same rates as this one's)."""
        if self._port is None:
            raise RuntimeError("start the server before adding bots to it")
        other = FakeTelegram(
            token=token,
            bot_username=bot_username,
            bot_first_name=bot_first_name,
            global_rate=self.global_rate,
            per_chat_rate=self.per_chat_rate,
            per_chat_burst=self._per_chat_burst,
            strict_html_ampersand=self.strict_html_ampersand,
            callback_query_ttl=self.callback_query_ttl,
            webhook_retry_delay=self.webhook_retry_delay,
            webhook_timeout=self.webhook_timeout,
            host=self.host,
            strict=self.strict,
            clock=self.clock,
        )
        other._port = self._port
        self._bots[token] = other
        return other

    async def stop(self) -> None:
        for other in self._bots.values():
            await other.stop()
        self._closing = True
        self._notify()
        if self._webhook_task is not None:
            self._webhook_task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._webhook_task
            self._webhook_task = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("FakeTelegram is not started")
        return self._port

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT``, for ``TelegramAPIServer.from_base``."""
        return f"http://{self.host}:{self.port}"

    # -- people --------------------------------------------------------------------------------

    def user(
        self,
        chat_id: int,
        first_name: str = "Học viên",
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "vi",
        started: bool = True,
    ) -> FakeUser:
        """The person with this id (created on first use; later calls return the same object).

        ``started=False``: they never opened the bot, so the bot cannot write to them (403)
        until they send something.
        """
        existing = self.users.get(chat_id)
        if existing is not None:
            return existing
        user = FakeUser(
            self,
            chat_id,
            first_name,
            last_name=last_name,
            username=username,
            language_code=language_code,
            started=started,
        )
        self.users[chat_id] = user
        self._chat_messages[chat_id] = {}
        self._message_ids[chat_id] = itertools.count(1)
        return user

    # -- updates -------------------------------------------------------------------------------

    def enqueue_update(self, payload: dict[str, Any]) -> dict[str, Any]:
        """Create an update (``{"message": {...}}`` etc.), numbered like Telegram does.

        An update of a type the bot did not ask for (``allowed_updates``) is dropped, as
        Telegram does; it is kept in :attr:`dropped_updates`. Returns the update.
        """
        kinds = [k for k in payload if k != "update_id"]
        update = {"update_id": self._next_update_id, **payload}
        if kinds and kinds[0] not in self._allowed_updates:
            self.dropped_updates.append(update)
            return update
        self._next_update_id += 1
        self._history.append(update)
        self._notify()
        return update

    @property
    def updates(self) -> list[dict[str, Any]]:
        """Every update created so far, confirmed or not."""
        return list(self._history)

    @property
    def pending_updates(self) -> list[dict[str, Any]]:
        """Updates not confirmed yet (what the next getUpdates without offset returns)."""
        floor, acked = self._floor, self._webhook_acked
        # Update ids are consecutive from the first one: start at the floor's place.
        start = max(0, floor - self._first_update_id)
        return [u for u in self._history[start:] if u["update_id"] not in acked]

    @property
    def confirmed_offset(self) -> int:
        """Updates with a smaller id are confirmed."""
        return self._floor

    def redeliver_from(self, update_id: int) -> None:
        """Make updates from ``update_id`` on unconfirmed again, as after a bot crash."""
        self._floor = min(self._floor, update_id)
        self._webhook_acked = {u for u in self._webhook_acked if u < update_id}
        self._notify()

    def drop_pending_updates(self) -> None:
        self._floor = self._next_update_id
        self._webhook_acked.clear()
        self._notify()

    @property
    def allowed_updates(self) -> set[str]:
        return set(self._allowed_updates)

    # -- assertions and waiting ----------------------------------------------------------------

    @property
    def invalid_requests(self) -> list[ApiCall]:
        """Refusals that mean the bot sent something wrong (400, 401, 404, 413)."""
        return [e for e in self.errors if e.error_code in (400, 401, 404, 413)]

    def assert_no_invalid_requests(self) -> None:
        if self.invalid_requests:
            lines = [
                f"  {e.method} -> {e.error_code} {e.description} params={e.params}"
                for e in self.invalid_requests
            ]
            raise AssertionError("the bot made invalid Bot API requests:\n" + "\n".join(lines))

    def calls_to(self, method: str) -> list[ApiCall]:
        return [c for c in self.calls if c.method.lower() == method.lower()]

    async def wait_until(
        self,
        condition: Callable[[], Any],
        timeout: float = 10.0,  # noqa: ASYNC109 - the public API of this helper
    ) -> Any:
        """Wait until ``condition()`` is truthy (re-checked whenever the fake's state changes)."""
        deadline = time.monotonic() + timeout
        while True:
            value = condition()
            if value:
                return value
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                errors = [(e.method, e.description) for e in self.errors[-5:]]
                raise AssertionError(
                    f"condition not met within {timeout}s; recent refused requests: {errors}"
                )
            await self._wait_change(min(remaining, 0.5))

    def get_commands(
        self, language_code: str = "", scope: dict[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        return self.commands.get(self._commands_key(scope, language_code), [])

    def hold(self, *methods: str) -> None:
        """Calls of these methods wait, unanswered, until ``release`` (``held_calls`` counts
        them): the bot is caught with requests in flight. A held call whose client has gone
        away by then is dropped unexecuted."""
        gate = asyncio.Event()
        for method in methods:
            self._holds[method] = gate

    def release(self) -> None:
        for gate in self._holds.values():
            gate.set()
        self._holds.clear()

    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    async def _wait_change(self, seconds: float) -> None:
        event = self._changed
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), seconds)

    # -- HTTP ----------------------------------------------------------------------------------

    async def _handle_api(self, request: web.Request) -> web.StreamResponse:
        other = self._bots.get(request.match_info["token"])
        if other is not None:
            return await other._handle_api(request)
        method_name = request.match_info["method"]
        self.request_count += 1
        params: dict[str, Any] = {}
        coerced: dict[str, Any] = {}
        try:
            params, files = await _read_request(request)
            if request.match_info["token"] != self.token:
                raise BotApiError(401, "Unauthorized")
            spec = self.spec.method(method_name)
            if spec is None:
                raise BotApiError(404, "Not Found")
            method_name = spec.name
            self.method_counts[method_name] += 1
            gate = self._holds.get(method_name)
            if gate is not None:
                self.held_calls += 1
                self._notify()
                await gate.wait()
                if _gone(request):  # the bot died meanwhile: the call never reached "Telegram"
                    return web.Response(status=499)
            result = await self._execute(spec, params, files, coerced)
            params = coerced
        except BotApiError as exc:
            params = coerced or params
            if exc.code == 409 and exc.description == CONFLICT_OTHER_POLL and _gone(request):
                return web.Response(status=409)  # nobody is listening any more
            self._record(method_name, params, exc)
            return _error_response(exc)
        self._record(method_name, params, None, result)
        self._notify()
        return web.json_response({"ok": True, "result": result})

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        other = self._bots.get(request.match_info["token"])
        if other is not None:
            return await other._handle_file(request)
        if request.match_info["token"] != self.token:
            return _error_response(BotApiError(401, "Unauthorized"))
        path = request.match_info["path"]
        for document in self.files.values():
            if document.file_path == path and document.data is not None:
                return web.Response(body=document.data, content_type="application/octet-stream")
        return _error_response(BotApiError(404, "Not Found"))

    def _record(
        self, method: str, params: dict[str, Any], error: BotApiError | None, result: Any = None
    ) -> ApiCall:
        call = ApiCall(
            method=method,
            params=_printable(params),
            ok=error is None,
            error_code=error.code if error else None,
            description=error.description if error else None,
            result=result,
        )
        self.calls.append(call)
        if error is not None:
            self.errors.append(call)
            if error.code == 429:
                self.rate_limited_count += 1
        return call

    async def _execute(
        self,
        spec: MethodSpec,
        raw: dict[str, Any],
        files: dict[str, UploadedFile],
        coerced: dict[str, Any] | None = None,
    ) -> Any:
        """Validate and run a call; ``coerced`` receives the parameters as typed values."""
        params = self._coerce(spec, raw, files)
        if coerced is not None:
            coerced.update(params)
        for name in spec.required:
            if _missing(params.get(name)):
                raise _bad(_missing_message(spec.name, name))
        for name, value in params.items():
            field_spec = spec.fields[name]
            if value is None:
                continue
            if name in ("reply_markup", "entities", "caption_entities", "options") or isinstance(
                value, UploadedFile
            ):
                continue
            if _is_structured(field_spec):
                self._check_any(value, field_spec.types, name)
        self._check_flood(spec.name, params)
        handler = self._handlers.get(spec.name)
        if handler is None:
            return True
        return await handler(params)

    # -- parameters ----------------------------------------------------------------------------

    def _coerce(
        self, spec: MethodSpec, raw: dict[str, Any], files: dict[str, UploadedFile]
    ) -> dict[str, Any]:
        """Known parameters converted to their documented types; unknown ones are refused in
        strict mode, ignored (as Telegram does) otherwise."""
        params: dict[str, Any] = {}
        for name, value in raw.items():
            field_spec = spec.fields.get(name)
            if field_spec is None:
                if self.strict:
                    raise _bad(_undocumented_message(spec.name, name, self.spec.version))
                continue
            params[name] = self._coerce_value(field_spec, value, files)
        for name, upload in files.items():
            field_spec = spec.fields.get(name)
            if field_spec is not None and "InputFile" in field_spec.types and name not in params:
                params[name] = upload
        return params

    def _coerce_value(self, spec: FieldSpec, value: Any, files: dict[str, UploadedFile]) -> Any:
        types = spec.types
        if isinstance(value, UploadedFile):
            return value
        if "InputFile" in types and isinstance(value, str) and value.startswith("attach://"):
            key = value.removeprefix("attach://")
            if key not in files:
                raise _bad(f'can\'t find attached file "{key}"')
            return files[key]
        if not isinstance(value, str):
            return value
        if types == ("Integer",) or types == ("Integer", "String"):
            try:
                return int(value)
            except ValueError:
                return value if "String" in types else 0
        if types == ("Float",):
            try:
                return float(value)
            except ValueError:
                return 0.0
        if types in (("Boolean",), ("True",)):
            return value.strip().lower() in ("true", "1")
        if _is_structured(spec):
            if value == "" and not spec.required:
                return None
            try:
                return json.loads(value)
            except ValueError:
                raise _bad(_json_error(spec.name)) from None
        return value

    def _check_any(self, value: Any, types: tuple[str, ...], name: str) -> None:
        errors = [self._match(value, t, name) for t in types]
        if all(errors):
            raise _bad(next(e for e in errors if e))

    def _match(self, value: Any, type_name: str, name: str) -> str | None:
        """None if ``value`` is a valid ``type_name``, else Telegram's complaint."""
        if type_name.startswith("Array of "):
            if not isinstance(value, list):
                return f'field "{name}" must be of type Array'
            inner = type_name.removeprefix("Array of ")
            for item in value:
                if error := self._match(item, inner, name):
                    return error
            return None
        if type_name == "Integer":
            ok = isinstance(value, int) and not isinstance(value, bool)
            return None if ok else f'field "{name}" must be of type Integer'
        if type_name == "Float":
            ok = isinstance(value, int | float) and not isinstance(value, bool)
            return None if ok else f'field "{name}" must be of type Float'
        if type_name == "String":
            ok = isinstance(value, str | int | float) and not isinstance(value, bool)
            return None if ok else f'field "{name}" must be of type String'
        if type_name in ("Boolean", "True"):
            return None if isinstance(value, bool) else f'field "{name}" must be of type Boolean'
        if type_name == "InputFile":
            return (
                None if isinstance(value, str | UploadedFile) else f'field "{name}" is not a file'
            )
        type_spec = self.spec.type(type_name)
        if type_spec is None:
            return None
        if type_spec.subtypes:
            if not isinstance(value, dict):
                scalars = [sub for sub in type_spec.subtypes if self.spec.type(sub) is None]
                if any(self._match(value, sub, name) is None for sub in scalars):
                    return None
                return f"can't parse {name} JSON object"
            candidates = []
            for sub in type_spec.subtypes:
                sub_spec = self.spec.type(sub)
                if sub_spec is None:
                    continue
                disc = sub_spec.discriminator
                if disc is None or value.get(disc[0]) == disc[1]:
                    candidates.append(sub)
            if not candidates:
                return f"can't parse {type_name}: unsupported type specified"
            errors = [self._match(value, sub, name) for sub in candidates]
            return None if not all(errors) else next(e for e in errors if e)
        if not isinstance(value, dict):
            if type_name == "InputPollOption" and isinstance(value, str):
                return None
            return f"can't parse {type_name} JSON object"
        for fname, fspec in type_spec.fields.items():
            if fname not in value or value[fname] is None:
                if fspec.required:
                    return f"can't parse {type_name}: Can't find field \"{fname}\""
                continue
            errors = [self._match(value[fname], t, fname) for t in fspec.types]
            if all(errors):
                return f"can't parse {type_name}: {next(e for e in errors if e)}"
        return None

    # -- flood control -------------------------------------------------------------------------

    def _check_flood(self, method: str, params: dict[str, Any]) -> None:
        if not _FLOOD_LIMITED.match(method):
            return
        now = self.clock()
        waits = []
        buckets: list[_Bucket] = []
        if self._global_bucket is not None:
            buckets.append(self._global_bucket)
        chat_id = params.get("chat_id")
        if self.per_chat_rate and isinstance(chat_id, int):
            bucket = self._chat_buckets.get(chat_id)
            if bucket is None:
                bucket = _Bucket(self.per_chat_rate, self._per_chat_burst, now)
                self._chat_buckets[chat_id] = bucket
            buckets.append(bucket)
        for bucket in buckets:
            waits.append(bucket.wait_time(now))
        wait = max(waits, default=0.0)
        if wait > 0:
            retry_after = max(1, math.ceil(wait))
            raise BotApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after)
        for bucket in buckets:
            bucket.take()

    # -- chats and messages --------------------------------------------------------------------

    def _chat(self, chat_id: Any, method: str) -> FakeUser:
        user = self.users.get(chat_id) if isinstance(chat_id, int) else None
        if user is None:
            raise _bad("chat not found")
        if _CHAT_WRITE.match(method):
            if user.blocked:
                raise BotApiError(403, BLOCKED)
            if not user.started:
                raise BotApiError(403, NOT_STARTED)
        return user

    def _message(self, chat_id: int, message: FakeMessage | int) -> FakeMessage | None:
        message_id = message.message_id if isinstance(message, FakeMessage) else message
        return self._chat_messages.get(chat_id, {}).get(message_id)

    def _new_message(self, user: FakeUser, *, from_bot: bool) -> FakeMessage:
        message = FakeMessage(
            message_id=next(self._message_ids[user.chat_id]),
            chat_id=user.chat_id,
            date=int(time.time()),
            from_bot=from_bot,
            sender=self.bot_user if from_bot else user.to_api(),
            chat=user.chat_api(),
        )
        self._chat_messages[user.chat_id][message.message_id] = message
        if from_bot:
            user.messages.append(message)
        else:
            user.sent.append(message)
        return message

    def _new_user_message(self, user: FakeUser, text: str) -> FakeMessage:
        message = self._new_message(user, from_bot=False)
        message.text = text
        message.raw_text = text
        if text.startswith("/"):
            command = text.split(maxsplit=1)[0]
            message.entities = [{"type": "bot_command", "offset": 0, "length": utf16_len(command)}]
        return message

    def _find_poll(self, poll: FakeMessage | FakePoll | str) -> FakePoll:
        if isinstance(poll, FakePoll):
            return poll
        if isinstance(poll, FakeMessage):
            if poll.poll is None:
                raise AssertionError(f"message {poll.message_id} is not a poll")
            return poll.poll
        if poll not in self.polls:
            raise AssertionError(f"no poll {poll!r}")
        return self.polls[poll]

    def _formatted(
        self,
        params: dict[str, Any],
        key: str,
        *,
        mode_key: str,
        entities_key: str,
        limit: int,
        too_long: str,
        allow_empty: bool,
    ) -> tuple[str, list[dict[str, Any]]]:
        raw = params.get(key)
        if raw is None or raw == "":
            if allow_empty:
                return "", []
            raise _bad("message text is empty")
        raw = str(raw)
        entities = params.get(entities_key)
        mode = params.get(mode_key)
        if mode not in (None, "") and str(mode).lower() not in ("html", "markdown", "markdownv2"):
            raise _bad("unsupported parse_mode")
        if entities is not None:
            self._check_entities(raw, entities)
            text, parsed = raw, list(entities)
        else:
            try:
                text, parsed = parse_formatted(
                    raw, mode, strict_ampersand=self.strict_html_ampersand
                )
            except EntityParseError as exc:
                raise _bad(f"can't parse entities: {exc}") from None
        text, parsed = strip_text(text, parsed)
        if not text and not allow_empty:
            raise _bad("text must be non-empty")
        if len(text) > limit:
            raise _bad(too_long)
        return text, parsed

    def _check_entities(self, text: str, entities: Any) -> None:
        if not isinstance(entities, list):
            raise _bad("can't parse entities JSON object")
        size = utf16_len(text)
        for entity in entities:
            if not isinstance(entity, dict):
                raise _bad("can't parse MessageEntity: Object expected")
            for required in ("type", "offset", "length"):
                if required not in entity:
                    raise _bad(f"can't parse MessageEntity: Can't find field \"{required}\"")
            if entity["type"] not in ENTITY_TYPES:
                raise _bad("can't parse MessageEntity: Unsupported type specified")
            offset, length = entity["offset"], entity["length"]
            if not isinstance(offset, int) or offset < 0:
                raise _bad(f"receive an entity with incorrect offset {offset}")
            if offset > size:
                raise _bad(f"entity begins after the end of the text at UTF-16 offset {offset}")
            if not isinstance(length, int) or offset + length > size:
                raise _bad(
                    f"entity beginning at UTF-16 offset {offset} ends after the end of the text "
                    f"at UTF-16 offset {offset + (length if isinstance(length, int) else 0)}"
                )
            if entity["type"] == "text_link" and "url" not in entity:
                raise _bad("can't parse MessageEntity: Can't find field \"url\"")

    def _reply_markup(self, markup: Any, *, inline_only: bool) -> dict[str, Any] | None:
        if markup is None:
            return None
        if not isinstance(markup, dict):
            raise _bad("can't parse reply keyboard markup JSON object")
        if "inline_keyboard" in markup:
            self._check_inline_keyboard(markup["inline_keyboard"])
            return markup
        if inline_only:
            raise _bad("inline keyboard expected")
        if "keyboard" in markup:
            rows = markup["keyboard"]
            if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
                raise _bad('field "keyboard" must be of type Array')
            for row in rows:
                for button in row:
                    if isinstance(button, str):
                        continue
                    if not isinstance(button, dict) or "text" not in button:
                        raise _bad("can't parse keyboard button: Can't find field \"text\"")
            for flag in ("resize_keyboard", "one_time_keyboard", "is_persistent", "selective"):
                if flag in markup and not isinstance(markup[flag], bool):
                    raise _bad(f'field "{flag}" must be of type Boolean')
            return markup
        for flag in ("remove_keyboard", "force_reply"):
            if flag in markup:
                if not isinstance(markup[flag], bool):
                    raise _bad(f'field "{flag}" must be of type Boolean')
                return markup
        raise _bad("can't parse reply keyboard markup JSON object")

    def _check_inline_keyboard(self, rows: Any) -> None:
        if not isinstance(rows, list):
            raise _bad('field "inline_keyboard" must be of type Array')
        data_limit = self.spec.types["InlineKeyboardButton"].fields["callback_data"].limit
        max_bytes = data_limit.high if data_limit else 64
        count = 0
        for row in rows:
            if not isinstance(row, list):
                raise _bad('field "inline_keyboard" must be of type Array of Array')
            for button in row:
                count += 1
                if not isinstance(button, dict):
                    raise _bad("can't parse inline keyboard button: Object expected")
                if "text" not in button:
                    raise _bad("can't parse inline keyboard button: Can't find field \"text\"")
                if not isinstance(button["text"], str):
                    raise _bad(
                        'can\'t parse inline keyboard button: Field "text" must be of type String'
                    )
                if not button["text"].strip():
                    raise _bad("BUTTON_TEXT_INVALID")
                actions = [
                    a
                    for a in INLINE_ACTIONS
                    if a in button
                    and button[a] is not None
                    and not (a in ("url", "callback_data") and button[a] == "")
                ]
                if not actions:
                    raise _bad(
                        "can't parse inline keyboard button: "
                        "Text buttons are unallowed in the inline keyboard"
                    )
                if "callback_data" in actions:
                    data = button["callback_data"]
                    if not isinstance(data, str) or len(data.encode("utf-8")) > max_bytes:
                        raise _bad("BUTTON_DATA_INVALID")
                if "url" in actions:
                    url = button["url"]
                    if not isinstance(url, str) or not re.match(r"^(https?|tg)://\S+$", url):
                        if isinstance(url, str) and re.match(r"^[a-z]+://", url):
                            reason = "Unsupported URL protocol"
                        else:
                            reason = "Wrong HTTP URL"
                        raise _bad(f"inline keyboard button URL '{url}' is invalid: {reason}")
                if "style" in button and button["style"] not in ("danger", "success", "primary"):
                    raise _bad("BUTTON_STYLE_INVALID")
        if count > INLINE_KEYBOARD_MAX_BUTTONS:
            raise _bad("reply markup is too long")

    def _text_limit(self, method: str, field_name: str, default: int) -> int:
        spec = self.spec.method(method)
        limit = spec.fields[field_name].limit if spec and field_name in spec.fields else None
        return limit.high if limit else default

    # -- method handlers -----------------------------------------------------------------------

    async def _true(self, params: dict[str, Any]) -> bool:
        return True

    async def _get_me(self, params: dict[str, Any]) -> dict[str, Any]:
        return self.bot_user

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        if self.webhook_url:
            raise BotApiError(409, CONFLICT_WEBHOOK)
        self._poll_generation += 1
        generation = self._poll_generation
        self._notify()  # a getUpdates already waiting is terminated
        offset = int(params.get("offset") or 0)
        limit = int(params.get("limit") or 100)
        limit = min(max(limit, 1), 100)
        timeout = max(float(params.get("timeout") or 0), 0.0)
        allowed = params.get("allowed_updates")
        if allowed is not None:
            self._allowed_updates = (
                set(allowed) & self._update_types
                if allowed
                else self._update_types - NOT_BY_DEFAULT
            )
        if offset > 0:
            self._floor = max(self._floor, offset)
        elif offset < 0:
            pending = self.pending_updates
            if len(pending) > -offset:
                self._floor = pending[offset]["update_id"]
        deadline = time.monotonic() + timeout
        while True:
            pending = self.pending_updates[:limit]
            if pending or self._closing:
                return pending
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return []
            await self._wait_change(remaining)
            if self._poll_generation != generation and not self._closing:
                raise BotApiError(409, CONFLICT_OTHER_POLL)
            if self.webhook_url:
                raise BotApiError(409, CONFLICT_WEBHOOK)

    async def _set_webhook(self, params: dict[str, Any]) -> bool:
        url = params.get("url", "")
        if url == "":
            await self._remove_webhook(drop=bool(params.get("drop_pending_updates")))
            return True
        if not re.match(r"^https?://[^/\s]+", url):
            raise _bad("bad webhook: An HTTPS URL must be provided for webhook")
        secret = params.get("secret_token")
        if secret is not None and secret != "":
            if len(secret) > 256 or not _SECRET.match(secret):
                raise _bad("secret token contains unallowed characters")
        allowed = params.get("allowed_updates")
        if allowed is not None:
            self._allowed_updates = (
                set(allowed) & self._update_types
                if allowed
                else self._update_types - NOT_BY_DEFAULT
            )
        if params.get("drop_pending_updates"):
            self.drop_pending_updates()
        self.webhook_url = url
        self.webhook_secret = secret or None
        self.webhook_max_connections = int(params.get("max_connections") or 40)
        self.webhook_last_error = None
        if self._webhook_task is None or self._webhook_task.done():
            self._webhook_task = asyncio.create_task(self._webhook_loop())
        self._notify()
        return True

    async def _delete_webhook(self, params: dict[str, Any]) -> bool:
        await self._remove_webhook(drop=bool(params.get("drop_pending_updates")))
        return True

    async def _remove_webhook(self, *, drop: bool) -> None:
        self.webhook_url = None
        self.webhook_secret = None
        if drop:
            self.drop_pending_updates()
        self._notify()

    async def _get_webhook_info(self, params: dict[str, Any]) -> dict[str, Any]:
        info: dict[str, Any] = {
            "url": self.webhook_url or "",
            "has_custom_certificate": False,
            "pending_update_count": len(self.pending_updates),
        }
        if self.webhook_url:
            info["max_connections"] = self.webhook_max_connections
            if self._allowed_updates != self._update_types - NOT_BY_DEFAULT:
                info["allowed_updates"] = sorted(self._allowed_updates)
            if self.webhook_last_error:
                info["last_error_date"], info["last_error_message"] = self.webhook_last_error
        return info

    async def _send_message(self, params: dict[str, Any]) -> dict[str, Any]:
        text, entities = self._formatted(
            params,
            "text",
            mode_key="parse_mode",
            entities_key="entities",
            limit=self._text_limit("sendMessage", "text", 4096),
            too_long="message is too long",
            allow_empty=False,
        )
        markup = self._reply_markup(params.get("reply_markup"), inline_only=False)
        user = self._chat(params["chat_id"], "sendMessage")
        reply_to = self._reply_target(user, params.get("reply_parameters"))
        message = self._new_message(user, from_bot=True)
        message.text, message.entities = text, entities
        message.raw_text = params["text"]
        message.parse_mode = params.get("parse_mode")
        message.reply_markup = markup
        message.reply_to_message_id = reply_to
        return message.to_api()

    def _reply_target(self, user: FakeUser, reply: Any) -> int | None:
        if not isinstance(reply, dict):
            return None
        if "message_id" not in reply:
            raise _bad('can\'t find field "message_id"')
        target = self._message(user.chat_id, reply["message_id"])
        if target is None or target.deleted:
            if reply.get("allow_sending_without_reply"):
                return None
            raise _bad("message to be replied not found")
        return target.message_id

    def _editable(self, params: dict[str, Any], method: str) -> tuple[FakeUser, FakeMessage]:
        if params.get("inline_message_id"):
            raise _bad("MESSAGE_ID_INVALID")
        if _missing(params.get("chat_id")):
            raise _bad("chat_id is empty")
        if _missing(params.get("message_id")):
            raise _bad("message identifier is not specified")
        user = self._chat(params["chat_id"], method)
        message = self._message(user.chat_id, params["message_id"])
        if message is None or message.deleted:
            raise _bad("message to edit not found")
        if not message.from_bot:
            raise _bad("message can't be edited")
        return user, message

    def _apply_edit(self, message: FakeMessage, changes: dict[str, Any]) -> dict[str, Any]:
        before = message.snapshot()
        after = {**before, **changes}
        if after == before:
            raise _bad(NOT_MODIFIED)
        message.history.append(before)
        for key, value in changes.items():
            setattr(message, key, value)
        message.edit_date = int(time.time())
        return message.to_api()

    async def _edit_message_text(self, params: dict[str, Any]) -> dict[str, Any]:
        if _missing(params.get("text")) and _missing(params.get("rich_message")):
            raise _bad("message text is empty")
        text, entities = self._formatted(
            params,
            "text",
            mode_key="parse_mode",
            entities_key="entities",
            limit=self._text_limit("editMessageText", "text", 4096),
            too_long="message is too long",
            allow_empty=False,
        )
        markup = self._reply_markup(params.get("reply_markup"), inline_only=True)
        _, message = self._editable(params, "editMessageText")
        if message.text is None:
            raise _bad("there is no text in the message to edit")
        result = self._apply_edit(
            message, {"text": text, "entities": entities, "reply_markup": markup}
        )
        message.raw_text = params["text"]
        message.parse_mode = params.get("parse_mode")
        return result

    async def _edit_message_caption(self, params: dict[str, Any]) -> dict[str, Any]:
        caption, entities = self._formatted(
            params,
            "caption",
            mode_key="parse_mode",
            entities_key="caption_entities",
            limit=self._text_limit("editMessageCaption", "caption", 1024),
            too_long="message caption is too long",
            allow_empty=True,
        )
        markup = self._reply_markup(params.get("reply_markup"), inline_only=True)
        _, message = self._editable(params, "editMessageCaption")
        if message.document is None:
            raise _bad("there is no caption in the message to edit")
        result = self._apply_edit(
            message,
            {"caption": caption or None, "caption_entities": entities, "reply_markup": markup},
        )
        message.raw_caption = params.get("caption")
        return result

    async def _edit_message_reply_markup(self, params: dict[str, Any]) -> dict[str, Any]:
        markup = self._reply_markup(params.get("reply_markup"), inline_only=True)
        _, message = self._editable(params, "editMessageReplyMarkup")
        return self._apply_edit(message, {"reply_markup": markup})

    async def _delete_message(self, params: dict[str, Any]) -> bool:
        user = self._chat(params["chat_id"], "deleteMessage")
        message = self._message(user.chat_id, params["message_id"])
        if message is None or message.deleted:
            raise _bad("message to delete not found")
        message.deleted = True
        return True

    async def _answer_callback_query(self, params: dict[str, Any]) -> bool:
        query_id = str(params["callback_query_id"])
        query = self._callback_queries.get(query_id)
        expired = (
            query is not None
            and self.callback_query_ttl is not None
            and self.clock() - query.created > self.callback_query_ttl
        )
        if query is None or query.answered or expired:
            raise _bad(QUERY_INVALID)
        text = params.get("text")
        limit = self._text_limit("answerCallbackQuery", "text", 200)
        if text is not None and len(str(text)) > limit:
            raise _bad("MESSAGE_TOO_LONG")
        query.answered = True
        answer = CallbackAnswer(
            query_id=query_id,
            text=str(text) if text else None,
            show_alert=bool(params.get("show_alert")),
            url=params.get("url"),
        )
        query.user.callback_answers.append(answer.text)
        query.user.callback_answer_details.append(answer)
        return True

    async def _send_document(self, params: dict[str, Any]) -> dict[str, Any]:
        caption, entities = self._formatted(
            params,
            "caption",
            mode_key="parse_mode",
            entities_key="caption_entities",
            limit=self._text_limit("sendDocument", "caption", 1024),
            too_long="message caption is too long",
            allow_empty=True,
        )
        markup = self._reply_markup(params.get("reply_markup"), inline_only=False)
        user = self._chat(params["chat_id"], "sendDocument")
        document = self._document(params["document"])
        reply_to = self._reply_target(user, params.get("reply_parameters"))
        message = self._new_message(user, from_bot=True)
        message.document = document
        message.caption = caption or None
        message.caption_entities = entities
        message.raw_caption = params.get("caption")
        message.parse_mode = params.get("parse_mode")
        message.reply_markup = markup
        message.reply_to_message_id = reply_to
        return message.to_api()

    def _document(self, value: Any) -> FakeDocument:
        if isinstance(value, UploadedFile):
            if not value.data:
                raise _bad("file must be non-empty")
            if len(value.data) > MAX_UPLOAD_BYTES:
                raise BotApiError(413, "Request Entity Too Large")
            return self._store_file(value.filename, value.content_type, value.data)
        if isinstance(value, str) and value in self.files:
            return self.files[value]
        if isinstance(value, str) and re.match(r"^https?://", value):
            name = value.rstrip("/").rsplit("/", 1)[-1] or "file"
            return self._store_file(name, None, None)
        raise _bad("wrong file identifier/HTTP URL specified")

    def _store_file(
        self, filename: str | None, content_type: str | None, data: bytes | None
    ) -> FakeDocument:
        number = len(self.files) + 1
        file_id = f"BQACAgIAAxkBAAI{number:06d}{random.getrandbits(40):010x}"
        mime = content_type if content_type not in (None, "application/octet-stream") else None
        mime = mime or (mimetypes.guess_type(filename)[0] if filename else None)
        suffix = Path(filename).suffix if filename else ""
        document = FakeDocument(
            file_id=file_id,
            file_unique_id=f"AgAD{number:06d}",
            file_name=filename,
            mime_type=mime or "application/octet-stream",
            data=data,
            file_path=f"documents/file_{number}{suffix}",
        )
        self.files[file_id] = document
        return document

    async def _send_poll(self, params: dict[str, Any]) -> dict[str, Any]:
        method = self.spec.methods["sendPoll"]
        question = str(params.get("question", "")).strip()
        question_limit = method.fields["question"].limit
        if not question:
            raise _bad("text must be non-empty")
        if question_limit and len(question) > question_limit.high:
            raise _bad(f"poll question length must not exceed {question_limit.high}")
        options = self._poll_options(params.get("options"))
        poll_type = params.get("type") or "regular"
        if poll_type not in ("regular", "quiz"):
            raise _bad("poll type must be regular or quiz")
        correct = params.get("correct_option_ids")
        if correct is None and params.get("correct_option_id") is not None:
            correct = [params["correct_option_id"]]
        if poll_type == "quiz":
            if not correct:
                raise _bad("correct option ids must be specified for quizzes")
            if any(not isinstance(i, int) or not 0 <= i < len(options) for i in correct):
                raise _bad("wrong correct option ID specified")
            if list(correct) != sorted(set(correct)):
                raise _bad("correct option IDs must be increasing")
        else:
            correct = None
        explanation = None
        if params.get("explanation"):
            explanation, _ = self._formatted(
                params,
                "explanation",
                mode_key="explanation_parse_mode",
                entities_key="explanation_entities",
                limit=method.fields["explanation"].limit.high
                if method.fields["explanation"].limit
                else 200,
                too_long="explanation is too long",
                allow_empty=True,
            )
            if explanation.count("\n") > 2:
                raise _bad("explanation can't contain more than 2 line feeds")
        open_period = params.get("open_period")
        close_date = params.get("close_date")
        if open_period is not None and close_date is not None:
            raise _bad("open_period and close_date can't be used together")
        if open_period is not None and not 5 <= int(open_period) <= 2628000:
            raise _bad("wrong open period specified")
        markup = self._reply_markup(params.get("reply_markup"), inline_only=False)
        user = self._chat(params["chat_id"], "sendPoll")
        reply_to = self._reply_target(user, params.get("reply_parameters"))
        message = self._new_message(user, from_bot=True)
        is_anonymous = params.get("is_anonymous")
        allows_revoting = params.get("allows_revoting")
        poll = FakePoll(
            id=str(random.getrandbits(62)),
            chat_id=user.chat_id,
            message_id=message.message_id,
            question=question,
            options=options,
            type=poll_type,
            is_anonymous=True if is_anonymous is None else bool(is_anonymous),
            allows_multiple_answers=bool(params.get("allows_multiple_answers")),
            allows_revoting=(poll_type != "quiz") if allows_revoting is None else allows_revoting,
            correct_option_ids=list(correct) if correct else None,
            explanation=explanation or None,
            is_closed=bool(params.get("is_closed")),
            open_period=open_period,
            close_date=close_date,
        )
        self.polls[poll.id] = poll
        message.poll = poll
        message.reply_markup = markup
        message.reply_to_message_id = reply_to
        return message.to_api()

    def _poll_options(self, value: Any) -> list[str]:
        if not isinstance(value, list):
            raise _bad("can't parse options JSON object")
        count_limit = self.spec.methods["sendPoll"].fields["options"].limit
        low, high = (count_limit.low, count_limit.high) if count_limit else (1, 12)
        text_limit = self.spec.types["InputPollOption"].fields["text"].limit
        max_text = text_limit.high if text_limit else 100
        if len(value) < max(low, 1):
            raise _bad("poll must have at least one answer option")
        if len(value) > high:
            raise _bad(f"poll can't have more than {high} options")
        texts = []
        for option in value:
            if isinstance(option, dict):
                if "text" not in option:
                    raise _bad("can't parse InputPollOption: Can't find field \"text\"")
                option = option["text"]
            if not isinstance(option, str):
                raise _bad("can't parse options JSON object")
            text = option.strip()
            if not text:
                raise _bad("poll options must be non-empty")
            if len(text) > max_text:
                raise _bad(f"poll options length must not exceed {max_text}")
            texts.append(text)
        return texts

    async def _stop_poll(self, params: dict[str, Any]) -> dict[str, Any]:
        user = self._chat(params["chat_id"], "stopPoll")
        message = self._message(user.chat_id, params["message_id"])
        if message is None or message.deleted or message.poll is None or not message.from_bot:
            raise _bad("message with poll to stop not found")
        if message.poll.is_closed:
            raise _bad("poll has already been closed")
        markup = self._reply_markup(params.get("reply_markup"), inline_only=True)
        message.poll.is_closed = True
        if markup is not None:
            message.reply_markup = markup
        return message.poll.to_api()

    def _commands_key(self, scope: Any, language_code: Any) -> tuple[str, str]:
        scope = scope if isinstance(scope, dict) else {"type": "default"}
        return json.dumps(scope, sort_keys=True), str(language_code or "")

    def _check_language_code(self, language_code: Any) -> None:
        if language_code not in (None, "") and not re.match(r"^[a-z]{2}$", str(language_code)):
            raise _bad("invalid language code specified")

    async def _set_my_commands(self, params: dict[str, Any]) -> bool:
        commands = params["commands"]
        limit = self.spec.methods["setMyCommands"].fields["commands"].limit
        if len(commands) > (limit.high if limit else 100):
            raise _bad("BOT_COMMANDS_TOO_MUCH")
        command_spec = self.spec.types["BotCommand"].fields
        command_limit = command_spec["command"].limit
        description_limit = command_spec["description"].limit
        for command in commands:
            name = str(command["command"])
            high = command_limit.high if command_limit else 32
            if not 1 <= len(name) <= high or not _COMMAND.match(name):
                raise _bad("BOT_COMMAND_INVALID")
            description = str(command["description"]).strip()
            high = description_limit.high if description_limit else 256
            if not 1 <= len(description) <= high:
                raise _bad("BOT_COMMAND_DESCRIPTION_INVALID")
        self._check_language_code(params.get("language_code"))
        key = self._commands_key(params.get("scope"), params.get("language_code"))
        if commands:
            self.commands[key] = [
                {"command": str(c["command"]), "description": str(c["description"])}
                for c in commands
            ]
        else:
            self.commands.pop(key, None)
        return True

    async def _get_my_commands(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        self._check_language_code(params.get("language_code"))
        return self.commands.get(
            self._commands_key(params.get("scope"), params.get("language_code")), []
        )

    async def _delete_my_commands(self, params: dict[str, Any]) -> bool:
        self._check_language_code(params.get("language_code"))
        self.commands.pop(
            self._commands_key(params.get("scope"), params.get("language_code")), None
        )
        return True

    async def _set_chat_menu_button(self, params: dict[str, Any]) -> bool:
        button = params.get("menu_button") or {"type": "default"}
        if "chat_id" in params:
            self._chat(params["chat_id"], "setChatMenuButton").menu_button = button
        else:
            self.default_menu_button = button
        return True

    async def _get_chat_menu_button(self, params: dict[str, Any]) -> dict[str, Any]:
        if "chat_id" in params:
            user = self._chat(params["chat_id"], "getChatMenuButton")
            if user.menu_button is not None:
                return user.menu_button
        return self.default_menu_button

    async def _send_chat_action(self, params: dict[str, Any]) -> bool:
        if params["action"] not in CHAT_ACTIONS:
            raise _bad("wrong parameter action in request")
        user = self._chat(params["chat_id"], "sendChatAction")
        user.chat_actions.append(params["action"])
        return True

    async def _get_file(self, params: dict[str, Any]) -> dict[str, Any]:
        document = self.files.get(str(params["file_id"]))
        if document is None:
            raise _bad("wrong file_id specified")
        if document.file_size > MAX_DOWNLOAD_BYTES:
            raise _bad("file is too big")
        result = document.to_api()
        result.pop("file_name", None)
        result.pop("mime_type", None)
        result["file_path"] = document.file_path
        return result

    # -- webhook -------------------------------------------------------------------------------

    async def _webhook_loop(self) -> None:
        """Deliver pending updates as Telegram's Bot API server does (its ``WebhookActor``):
        up to ``max_connections`` requests at once, but one update of a chat at a time and in
        order, each chat's next update only after the previous one was answered with 2xx."""
        connector = aiohttp.TCPConnector(limit=0)
        async with aiohttp.ClientSession(connector=connector) as session:
            tasks: set[asyncio.Task[None]] = set()
            try:
                while self.webhook_url and not self._closing:
                    busy = set(self._webhook_queues_in_flight)
                    started = False
                    for update in self.pending_updates:
                        if len(tasks) >= self.webhook_max_connections:
                            break
                        queue = _queue_of(update)
                        if queue in busy:  # that chat's earlier update is not answered yet
                            continue
                        busy.add(queue)
                        self._webhook_queues_in_flight.add(queue)
                        task = asyncio.create_task(
                            self._deliver_in_turn(session, self.webhook_url, update, queue)
                        )
                        tasks.add(task)
                        task.add_done_callback(tasks.discard)
                        started = True
                    if not started:
                        await self._wait_change(1.0)
            finally:
                for task in tasks:
                    task.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)

    async def _deliver_in_turn(
        self,
        session: aiohttp.ClientSession,
        url: str,
        update: dict[str, Any],
        queue: object,
    ) -> None:
        try:
            await self._deliver(session, url, update)
        finally:
            self._webhook_queues_in_flight.discard(queue)
            self._notify()

    def _acknowledge(self, update_id: int) -> None:
        """A 2xx for this update: confirmed, and the floor moves over what is contiguous."""
        if update_id < self._floor:
            return
        self._webhook_acked.add(update_id)
        while self._floor in self._webhook_acked:
            self._webhook_acked.discard(self._floor)
            self._floor += 1

    async def _deliver(
        self, session: aiohttp.ClientSession, url: str, update: dict[str, Any]
    ) -> None:
        headers = {}
        if self.webhook_secret:
            headers["X-Telegram-Bot-Api-Secret-Token"] = self.webhook_secret
        timeout = aiohttp.ClientTimeout(total=self.webhook_timeout)
        reply: tuple[dict[str, Any], dict[str, UploadedFile]] | None = None
        try:
            async with session.post(url, json=update, headers=headers, timeout=timeout) as resp:
                status = resp.status
                if 200 <= status < 300:
                    reply = await _read_webhook_reply(resp)
        except (aiohttp.ClientError, TimeoutError) as exc:
            error = f"Connection failed: {type(exc).__name__}: {exc}"
            self.webhook_deliveries.append(WebhookDelivery(update["update_id"], None, error))
            self.webhook_last_error = (int(time.time()), error)
            await asyncio.sleep(self.webhook_retry_delay)
            return
        if not 200 <= status < 300:
            error = f"Wrong response from the webhook: {status}"
            self.webhook_deliveries.append(WebhookDelivery(update["update_id"], status, error))
            self.webhook_last_error = (int(time.time()), error)
            await asyncio.sleep(self.webhook_retry_delay)
            return
        self.webhook_deliveries.append(WebhookDelivery(update["update_id"], status))
        self._acknowledge(update["update_id"])
        self._notify()
        if reply is not None:
            await self._webhook_reply(*reply)

    async def _webhook_reply(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> None:
        """A method call in the webhook response is executed; its result is not seen by anyone."""
        method_name = params.pop("method", None)
        if not method_name:
            return
        method_name = str(method_name)
        self.request_count += 1
        coerced: dict[str, Any] = {}
        try:
            spec = self.spec.method(method_name)
            if spec is None:
                raise BotApiError(404, "Not Found")
            method_name = spec.name
            self.method_counts[method_name] += 1
            result = await self._execute(spec, params, files, coerced)
        except BotApiError as exc:
            self._record(method_name, coerced or params, exc).source = "webhook-reply"
            return
        self._record(method_name, coerced, None, result).source = "webhook-reply"
        self._notify()


# -- request parsing ---------------------------------------------------------------------------


async def _read_request(
    request: web.Request,
) -> tuple[dict[str, Any], dict[str, UploadedFile]]:
    """Parameters from the query string and the body (JSON, urlencoded or multipart)."""
    params: dict[str, Any] = dict(request.query)
    files: dict[str, UploadedFile] = {}
    if not request.can_read_body:
        return params, files
    content_type = request.content_type
    if content_type == "application/json":
        try:
            body = await request.json()
        except ValueError:
            raise _bad("can't parse JSON encoded request") from None
        if not isinstance(body, dict):
            raise _bad("can't parse JSON encoded request")
        params.update(body)
    elif content_type == "multipart/form-data":
        more, files = await _read_multipart(await request.multipart())
        params.update(more)
    elif content_type == "application/x-www-form-urlencoded":
        form = await request.post()
        params.update({k: v for k, v in form.items() if isinstance(v, str)})
    return params, files


async def _read_multipart(
    reader: aiohttp.MultipartReader,
) -> tuple[dict[str, Any], dict[str, UploadedFile]]:
    params: dict[str, Any] = {}
    files: dict[str, UploadedFile] = {}
    while True:
        part = await reader.next()
        if part is None:
            break
        if not isinstance(part, aiohttp.BodyPartReader):
            continue
        name = part.name or ""
        data = await part.read(decode=True)
        if part.filename is not None:
            files[name] = UploadedFile(
                name=name,
                filename=part.filename,
                content_type=part.headers.get("Content-Type"),
                data=bytes(data),
            )
        else:
            params[name] = bytes(data).decode(part.get_charset("utf-8"))
    return params, files


async def _read_webhook_reply(
    resp: aiohttp.ClientResponse,
) -> tuple[dict[str, Any], dict[str, UploadedFile]] | None:
    if resp.content_type == "multipart/form-data":
        return await _read_multipart(aiohttp.MultipartReader(resp.headers, resp.content))
    if resp.content_type == "application/json":
        with contextlib.suppress(ValueError):
            body = await resp.json()
            if isinstance(body, dict):
                return body, {}
    return None


def _error_response(exc: BotApiError) -> web.Response:
    body: dict[str, Any] = {"ok": False, "error_code": exc.code, "description": exc.description}
    if exc.retry_after is not None:
        body["parameters"] = {"retry_after": exc.retry_after}
    return web.json_response(body, status=exc.code)


def _gone(request: web.Request) -> bool:
    transport = request.transport
    return transport is None or transport.is_closing()


def _missing(value: Any) -> bool:
    return value is None or value == ""


def _missing_message(method: str, name: str) -> str:
    if name == "chat_id":
        return "chat_id is empty"
    special = {
        ("sendMessage", "text"): "message text is empty",
        ("sendPoll", "question"): "text must be non-empty",
        ("sendPoll", "options"): "can't parse options JSON object",
        ("answerCallbackQuery", "callback_query_id"): QUERY_INVALID,
        ("sendDocument", "document"): "there is no document in the request",
        ("setMyCommands", "commands"): "can't parse commands JSON object",
        ("deleteMessage", "message_id"): "message identifier is not specified",
    }
    return special.get((method, name), f"{name} is required")


def _undocumented_message(method: str, name: str, version: str) -> str:
    return f'parameter "{name}" is not documented for {method} in {version or "the Bot API"}'


def _json_error(name: str) -> str:
    if name == "reply_markup":
        return "can't parse reply keyboard markup JSON object"
    return f"can't parse {name} JSON object"


def _is_structured(spec: FieldSpec) -> bool:
    """True for fields that carry JSON (objects or arrays), not for plain scalars or files."""
    scalars = {"Integer", "String", "Boolean", "Float", "True", "InputFile"}
    return any(t not in scalars for t in spec.types)


def _printable(params: dict[str, Any]) -> dict[str, Any]:
    return {
        k: (f"<file {v.filename!r}, {len(v.data)} bytes>" if isinstance(v, UploadedFile) else v)
        for k, v in params.items()
    }
