"""Button payloads: ``<action>:<nonce>:<argument>``, at most 64 bytes (Telegram's limit).

Flow buttons carry the nonce of the prompt they belong to; a press whose nonce is not the
learner's current one is stale (an old message, a replay, a forgery) and changes nothing.
Settings buttons are idempotent and carry no nonce.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from hocvuso.learning.replies import Button

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
# Organisers and mentors (hocvuso.learning.staff): the compose flow carries the nonce kept
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
}
FLOW = {LANGUAGE, ROLE, UNIT_SKIP, PLACEMENT, ANSWER, QUIZ, NEXT, STOP, EXAM, FORGET}
_PART = re.compile(r"^[A-Za-z0-9_.\-]*$")


@dataclass(frozen=True)
class Action:
    name: str
    nonce: str
    arg: str


def button(label: str, name: str, nonce: str = "", arg: str = "") -> Button:
    return Button(label, f"{name}:{nonce}:{arg}")


def parse(data: str) -> Action | None:
    """Parse a payload; None for anything that is not one of ours."""
    parts = data.split(":")
    if len(parts) != 3 or not all(_PART.match(p) for p in parts):
        return None
    return Action(*parts)
