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
