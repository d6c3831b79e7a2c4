"""Button payloads: ``<action>:<nonce>:<argument>``, at most 64 bytes (Telegram's limit).

Flow buttons carry the nonce of the prompt they belong to; a press whose nonce is not the
learner's current one is stale (an old message, a replay, a forgery) and changes nothing.
Settings buttons are idempotent and carry no nonce.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from hocvuso.i18n import plain

#: Telegram's limit for callback data, in bytes.
CALLBACK_DATA_MAX = 64


@dataclass(frozen=True)
class Button:
    label: str
    data: str

    def __post_init__(self) -> None:
        if not 1 <= len(self.data.encode()) <= CALLBACK_DATA_MAX:
            raise ValueError(f"button data must be 1-{CALLBACK_DATA_MAX} bytes: {self.data!r}")


# Flow actions (need the current nonce)
LANGUAGE = "lg"
ROLE = "rl"
UNIT_SKIP = "un"
PLACEMENT = "pl"
ANSWER = "an"
QUIZ = "qz"
NEXT = "nx"
STOP = "st"
EXAM = "ex"
FORGET = "fg"
# Before a learner exists: consent (no state to hold a nonce yet)
CONSENT_YES = "cy"
CONSENT_NO = "cn"
# Start a study session, like /learn (reminder and campaign buttons; idempotent)
LEARN = "lr"
# Settings (idempotent)
SET_LANGUAGE = "sl"
SET_HOUR = "sh"
SET_ROLE = "sr"
SET_PAUSE = "sp"  # "tạm nghỉ": pause reminders ("sp::" shows the choices, "sp::3" pauses 3 days)
# Organisers and mentors (hocvuso.chat.flows.staff): the compose flow carries the nonce kept
# in ``state["staff"]``; the others are checked against the presser's rights and are idempotent
# or limited (a nudge pressed twice is refused by the 72-hour limit).
BROADCAST = "bc"  # bc:<nonce>:send | bc:<nonce>:cancel
BROADCAST_STATUS = "bs"  # bs::<broadcast id>: refresh the progress message
NUDGE = "nd"  # nd::<mentee id>: choose a templated or a custom nudge
NUDGE_SEND = "ns"  # ns::<mentee id>: send the templated nudge
NUDGE_CUSTOM = "nc"  # nc::<mentee id>: write a custom one (next message)
MENTEE_REPLY = "mr"  # mr::<nudge id>: the mentee answers their mentor (next message)
MUTE = "mu"  # mu::1 mutes nudges, mu::0 allows them again
LEADERBOARD = "lb"  # lb::1 shows my name on the leaderboard, lb::0 hides it
MENTOR_INVITE = "mi"  # mi::<learner id>: an organiser invites a suggested mentor
ACCEPT_ROLE = "ra"  # ra::<invite token>: the invitee accepts a personal role invitation
PAIR_MENTOR = "pm"  # pm::<mentor id>: an organiser chose a mentor to give a mentee to
PAIR = "pa"  # pa::<mentor id>.<mentee id>: an organiser links them
REPORT_FILE = "rx"  # rx::<unit id, 0: the whole tree>: the report as an Excel file
MENTOR_LINK_YES = "ly"  # ly::<mentor code>: the mentee agrees to be linked to that mentor
MENTOR_LINK_NO = "ln"  # ln::<mentor code>: the mentee declines
MENTOR_LEAVE = "ml"  # ml::<mentor id>: the mentee leaves that mentor
MENTOR_CODE_NEW = "mc"  # mc::: the mentor makes a new invite link (the old one stops working)

STAFF = {
    BROADCAST,
    BROADCAST_STATUS,
    NUDGE,
    NUDGE_SEND,
    NUDGE_CUSTOM,
    MENTEE_REPLY,
    MUTE,
    LEADERBOARD,
    MENTOR_INVITE,
    ACCEPT_ROLE,
    PAIR_MENTOR,
    PAIR,
    REPORT_FILE,
    MENTOR_LINK_YES,
    MENTOR_LINK_NO,
    MENTOR_LEAVE,
    MENTOR_CODE_NEW,
}
FLOW = {LANGUAGE, ROLE, UNIT_SKIP, PLACEMENT, ANSWER, QUIZ, NEXT, STOP, EXAM, FORGET}
SETTINGS = {SET_LANGUAGE, SET_HOUR, SET_ROLE, SET_PAUSE}
OTHER = {CONSENT_YES, CONSENT_NO, LEARN, *SETTINGS}
_PART = re.compile(r"^[A-Za-z0-9_.\-]*$")
#: Every payload name of ours (built once: checked for each button made).
_NAMES = frozenset(STAFF | FLOW | OTHER)


@dataclass(frozen=True)
class Action:
    name: str
    nonce: str
    arg: str


def data(name: str, nonce: str = "", arg: str = "") -> str:
    """The payload ``<name>:<nonce>:<argument>``, refused unless :func:`parse` reads it back."""
    if name not in _NAMES or not _PART.match(nonce) or not _PART.match(arg):
        raise ValueError(f"not a payload of ours: {name!r}, {nonce!r}, {arg!r}")
    return f"{name}:{nonce}:{arg}"


def button(label: str, name: str, nonce: str = "", arg: str = "") -> Button:
    """A button; its label is plain text (Telegram shows it as typed), so a rendered message
    (:class:`hocvuso.i18n.Markup`) loses its tags and its escape: ``Tú & Tài``, not ``&amp;``."""
    return Button(plain(label), data(name, nonce, arg))


def stored(*rows: Sequence[Button]) -> list[list[list[str]]]:
    """Buttons as a queued delivery keeps them (JSON: rows of ``[label, payload]``)."""
    return [[[b.label, b.data] for b in row] for row in rows]


def parse(data: str) -> Action | None:
    """Parse a payload; None for anything that is not one of ours."""
    parts = data.split(":")
    if len(parts) != 3 or not all(_PART.match(p) for p in parts):
        return None
    return Action(*parts)
