"""Hypothesis strategies for Telegram updates, for the fuzz test (``test_fuzz.py``).

Two kinds of material:

* :func:`raw_update` builds an update of any type aiogram knows (``Update``'s fields), straight
  from aiogram's own models: every required field, a random few of the optional ones (so
  fields go missing), now and then a field no Bot API version has yet (extra fields, which
  Telegram adds with every version), and odd values in every string.
* :data:`texts`, :data:`callback_data` and :data:`actions` are what a person does: type odd
  Unicode, huge texts, commands with odd arguments and deep links; press buttons the bot sent,
  replay or tamper with their data, press in groups; post in groups and channels.

The fuzz driver turns an action into an update with the identities it controls (the people the
fake Bot API server knows), so that the bot's answers go to chats that exist.
"""

from __future__ import annotations

import datetime as dt
import enum
import types
import typing
from dataclasses import dataclass
from typing import Any, Literal

from aiogram.types import Update
from hypothesis import strategies as st
from pydantic import BaseModel

#: How many optional fields an object gets at most, by nesting depth (none below: a Message
#: holds Messages, and so on).
OPTIONAL_AT_DEPTH = (6, 2)
MAX_DEPTH = len(OPTIONAL_AT_DEPTH)

# --- text -----------------------------------------------------------------------------------
#: Right-to-left text, bidi controls, combining marks, zero-width characters, astral planes.
ODD_PIECES = (
    "مرحبا بالعالم",
    "שלום",
    "\u202eevil\u202c",
    "\u2066isolate\u2069",
    "\u200f\u200e",
    "a\u0301\u0302\u0303\u0304\u0305\u0306\u0307",
    "Z\u0336\u0337\u0338\u034f\u035c\u0361",
    "\u200b\u200c\u200d\u2060\ufeff",
    "𝕳𝖔𝖈 𝖛𝖚 𝖘𝖔 😀👩\u200d👩\u200d👧\u200d👦🏳️\u200d🌈",
    "\U0001f1fb\U0001f1f3",
    "𓀀𓂀𓃰",
    "Nguyễn Thị Ánh Tuyết",
    "Ứng dụng chuyển đổi số",
    "<b>đậm</b> &amp; <i>nghiêng</i> <a href='x'>",
    "&lt;script&gt; & < > \" '",
    "\t\r\n\x0b\x0c\x1b[31m\x7f\x85",
    "\u2028\u2029",
    "１２３ＡＢＣ",
    "ﷺ﷽",
    "A",
    "b",
    " c ",
    "12",
    "0",
    "-1",
    "99999999999999999999",
)
#: Letters, digits, symbols and marks of every plane: no surrogates (not valid UTF-8) and no
#: NUL (Telegram never delivers one).
ANY_CHAR = st.characters(exclude_categories=("Cs",), exclude_characters="\x00")
short_text = st.one_of(
    st.text(ANY_CHAR, max_size=30),
    st.sampled_from(ODD_PIECES),
)


@st.composite
def _huge(draw: st.DrawFn) -> str:
    """4,000-5,000 characters: around Telegram's 4,096 limit, in ASCII or astral planes."""
    piece = draw(st.sampled_from((*ODD_PIECES, "x", "ệ", "😀 ")))
    size = draw(st.integers(4_000, 5_000))
    return (piece * (size // len(piece) + 1))[:size]


COMMANDS = (
    "start",
    "learn",
    "review",
    "progress",
    "settings",
    "certificate",
    "mydata",
    "forget",
    "leaderboard",
    "help",
    "report",
    "broadcast",
    "mentees",
    "invite_mentor",
    "mentor_candidates",
    "assign_mentor",
    "mentor_link",
    "cancel",
    "START",
    "nosuchcommand",
)
START_PAYLOADS = st.one_of(
    st.from_regex(r"[A-Za-z0-9_\-]{1,64}", fullmatch=True),
    st.from_regex(r"m-[A-Za-z0-9_\-]{0,40}", fullmatch=True),
    st.from_regex(r"r-[A-Za-z0-9_\-]{0,40}", fullmatch=True),
    st.sampled_from(("m-", "r-", "-", "_", "m-m-", "r-m-x", "a" * 61, "A" * 200)),
    short_text,
)


@st.composite
def _command(draw: st.DrawFn) -> str:
    name = draw(st.sampled_from(COMMANDS))
    mention = draw(st.sampled_from(("", "", "@hocvuso_test_bot", "@other_bot", "@")))
    args = draw(st.one_of(st.just(""), START_PAYLOADS, short_text))
    space = draw(st.sampled_from((" ", "  ", "\n", "\u00a0")))
    return f"/{name}{mention}{space + args if args else ''}"


#: What a person types: answers, commands, odd Unicode, very long texts.
texts = st.one_of(
    st.sampled_from((*tuple("ABCDEFGHIJKLabc"), "1", "2", "3", "Có", "Không", "/")),
    _command(),
    short_text,
    st.text(ANY_CHAR, min_size=1, max_size=300),
    _huge(),
).filter(lambda text: bool(text.strip()))  # Telegram clients send no empty messages

#: Callback data a client could send: anything of 1-64 bytes (tampering included).
random_data = st.one_of(
    st.from_regex(r"[a-z]{2}:[A-Za-z0-9]{0,12}:[A-Za-z0-9.:\-]{0,20}", fullmatch=True),
    st.text(ANY_CHAR, min_size=1, max_size=20),
    st.sampled_from(("::", ":", "an::", "cy::", "fg::", "sp::", "sp::999", "pa::1.2", "x" * 64)),
).filter(lambda data: 1 <= len(data.encode()) <= 64)


# --- updates of every type, from aiogram's models -----------------------------------------------
UPDATE_TYPES = tuple(name for name in Update.model_fields if name != "update_id")


def _strip_optional(annotation: Any) -> tuple[Any, ...]:
    """The alternatives of a type, without None and Annotated wrappers."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _strip_optional(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        found: list[Any] = []
        for arg in typing.get_args(annotation):
            found.extend(_strip_optional(arg))
        return tuple(found)
    if annotation is type(None):
        return ()
    return (annotation,)


@st.composite
def _value(draw: st.DrawFn, annotation: Any, depth: int) -> Any:
    choices = _strip_optional(annotation)
    if not choices:
        return None
    kind = draw(st.sampled_from(choices))
    origin = typing.get_origin(kind)
    if origin is Literal:
        value = draw(st.sampled_from(typing.get_args(kind)))
        return value.value if isinstance(value, enum.Enum) else value
    if origin is list:
        (item,) = typing.get_args(kind)
        return draw(st.lists(_value(item, depth + 1), max_size=2 if depth < MAX_DEPTH else 1))
    if isinstance(kind, type):
        if issubclass(kind, BaseModel):
            return draw(model(kind, depth + 1))
        if issubclass(kind, enum.Enum):
            return draw(st.sampled_from([member.value for member in kind]))
        if issubclass(kind, bool):
            return draw(st.booleans())
        if issubclass(kind, int):
            return draw(st.integers(-(2**52), 2**52))
        if issubclass(kind, float):
            return draw(st.floats(allow_nan=False, allow_infinity=False, width=32))
        if issubclass(kind, str):
            return draw(short_text)
        if issubclass(kind, dt.datetime):
            return draw(st.integers(0, 2**31 - 1))
    return None  # Any, callables: nothing a Bot API object holds


def _is_literal(annotation: Any) -> bool:
    return any(typing.get_origin(kind) is Literal for kind in _strip_optional(annotation))


@st.composite
def model(draw: st.DrawFn, cls: type[BaseModel], depth: int = 0) -> dict[str, Any]:
    """An object of an aiogram type as Telegram sends it (JSON names: ``from``, not ``from_user``):
    every required field (and the tag of a subtype), a few optional ones, sometimes a field
    from a future Bot API."""
    fields = cls.model_fields
    optional = [
        n for n, f in fields.items() if not f.is_required() and not _is_literal(f.annotation)
    ]
    most = OPTIONAL_AT_DEPTH[depth] if depth < len(OPTIONAL_AT_DEPTH) else 0
    chosen = (
        set(draw(st.lists(st.sampled_from(optional), max_size=most, unique=True)))
        if (optional and most)
        else set()
    )
    result: dict[str, Any] = {}
    for name, info in fields.items():
        if name not in chosen and not info.is_required() and not _is_literal(info.annotation):
            continue
        value = draw(_value(info.annotation, depth))
        if value is None and info.is_required():
            value = 0
        if value is not None:
            result[info.alias or name] = value
    if draw(st.integers(0, 9)) == 0:
        result[draw(st.sampled_from(("future_field", "x_" * 3, "is_new")))] = draw(
            st.one_of(st.integers(), short_text, st.booleans(), st.just({"nested": [1, "ệ"]}))
        )
    return result


def _update_model(kind: str) -> type[BaseModel]:
    (cls,) = [c for c in _strip_optional(Update.model_fields[kind].annotation)]
    assert isinstance(cls, type) and issubclass(cls, BaseModel)
    return cls


@st.composite
def raw_update(draw: st.DrawFn, kind: str | None = None) -> tuple[str, dict[str, Any]]:
    """``(type, object)`` of an update of any type (``kind``: this one)."""
    kind = kind or draw(st.sampled_from(UPDATE_TYPES))
    return kind, draw(model(_update_model(kind)))


# --- what people do -----------------------------------------------------------------------------
ChatKind = Literal["private", "group", "supergroup", "channel"]
chat_kinds: st.SearchStrategy[ChatKind] = st.sampled_from(
    ("private", "private", "private", "group", "supergroup", "channel")
)
#: Who acts: the staff seeded for the run (0-2: an organiser, a mentor, an admin) or one of
#: the learners (the driver takes it modulo the number of people).
who = st.integers(0, 26)


@dataclass(frozen=True)
class Say:
    """A private text message (``edited``: an edit of one, which the bot does not serve)."""

    who: int
    text: str
    edited: bool = False


@dataclass(frozen=True)
class Press:
    """A button press on one of the bot's messages to this person.

    ``source``: "issued" the data of a button on that message, "other" data the bot issued to
    someone else, "tampered" issued data changed a little, "random" anything; ``pick`` chooses
    the message and button; ``form``: "message", "inaccessible" (an old message) or "inline"
    (no message, an inline message id), ``data``: the data of a "random" press, the tampering
    of a "tampered" one (its first character).
    """

    who: int
    source: Literal["issued", "other", "tampered", "random", "none"]
    pick: int
    form: Literal["message", "inaccessible", "inline"]
    data: str
    extra: bool


@dataclass(frozen=True)
class Start:
    """``/start <payload>`` with a payload that exists in the store (a unit's invite code, a
    mentor's code, a role invitation), as they are or tampered with."""

    who: int
    pick: int
    tamper: bool


@dataclass(frozen=True)
class InChat:
    """A message (or a press on a bot message) in a group, supergroup or channel."""

    who: int
    kind: ChatKind
    chat: int
    text: str | None
    press: bool
    data: str


@dataclass(frozen=True)
class Raw:
    """An update of any type, with its people and chats set to ones the run knows."""

    who: int
    chat: ChatKind
    kind: str
    body: dict[str, Any]


@dataclass(frozen=True)
class Redeliver:
    """Telegram sends an update again (same id): a crash before it was confirmed."""

    pick: int


Action = Say | Press | Start | InChat | Raw | Redeliver

_press = st.builds(
    Press,
    who=who,
    source=st.sampled_from(("issued",) * 6 + ("other", "tampered", "random", "none")),
    pick=st.integers(0, 10_000),
    form=st.sampled_from(("message", "message", "message", "message", "inaccessible", "inline")),
    data=random_data,
    extra=st.booleans(),
)


@st.composite
def _raw(draw: st.DrawFn) -> Raw:
    kind, body = draw(raw_update())
    return Raw(draw(who), draw(chat_kinds), kind, body)


actions: st.SearchStrategy[Action] = st.one_of(
    st.builds(Say, who=who, text=texts, edited=st.just(False)),
    st.builds(Say, who=who, text=texts, edited=st.just(False)),
    _press,
    _press,
    _press,
    _press,
    _press,
    st.builds(Say, who=who, text=texts, edited=st.just(True)),
    st.builds(Start, who=who, pick=st.integers(0, 1_000), tamper=st.booleans()),
    st.builds(
        InChat,
        who=who,
        kind=st.sampled_from(("group", "supergroup", "channel")),
        chat=st.integers(0, 3),
        text=st.one_of(st.none(), texts),
        press=st.booleans(),
        data=random_data,
    ),
    _raw(),
    st.builds(Redeliver, pick=st.integers(0, 10_000)),
)
