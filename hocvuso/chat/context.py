"""The context one event is handled in: the open transaction, the learner, the clock, texts."""

from __future__ import annotations

import random
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel.ext.asyncio.session import AsyncSession

from hocvuso.chat.events import Person
from hocvuso.chat.replies import Outcome, Reply
from hocvuso.config import Settings
from hocvuso.content.loader import Pack
from hocvuso.credentials.keys import KeyRing, load_keyring
from hocvuso.i18n import language_of, plain, t
from hocvuso.storage.models import Learner


def new_nonce() -> str:
    return secrets.token_hex(4)


@dataclass
class Ctx:
    session: AsyncSession
    pack: Pack
    settings: Settings
    person: Person
    now: datetime
    rng: random.Random
    learner: Learner | None = None
    outcome: Outcome = field(default_factory=Outcome)
    #: The deployment's signing keys, read once by the engine (see :attr:`ring`).
    keys: Callable[[], KeyRing] | None = None

    @property
    def ring(self) -> KeyRing:
        """The keys that sign certificates."""
        return self.keys() if self.keys is not None else load_keyring(self.settings)

    @property
    def me(self) -> Learner:
        """The learner the event is from (every flow after consent has one)."""
        assert self.learner is not None and self.learner.id is not None
        return self.learner

    @property
    def me_id(self) -> int:
        return self.me.id or 0

    @property
    def lang(self) -> str:
        if self.learner is not None:
            return self.learner.language
        return language_of(self.person.language_code, self.settings.language)

    def t(self, key: str, /, **variables: Any) -> str:
        return t(self.lang, key, **variables)

    def say(self, text: str, **kwargs: Any) -> None:
        self.outcome.replies.append(Reply(text, **kwargs))

    def toast(self, text: str, *, alert: bool = False) -> None:
        """A notice on the pressed button: plain text (see :func:`hocvuso.i18n.plain`)."""
        self.outcome.toast = plain(text)
        self.outcome.alert = alert

    # --- the learner's place in the conversation -------------------------------------------
    @property
    def state(self) -> dict[str, Any]:
        assert self.learner is not None
        return self.learner.state

    def set_state(self, **changes: Any) -> dict[str, Any]:
        """Replace the learner's state (a new dict, so the JSON column sees the change)."""
        assert self.learner is not None
        state = {**self.learner.state, **changes}
        self.learner.state = state
        return state

    def reset_state(self, step: str, **values: Any) -> dict[str, Any]:
        assert self.learner is not None
        self.learner.state = {"step": step, "nonce": new_nonce(), **values}
        return self.learner.state

    # --- time for the learner ------------------------------------------------------------
    @property
    def zone(self) -> ZoneInfo:
        name = self.learner.timezone if self.learner else self.settings.timezone
        return ZoneInfo(name)

    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(self.zone)

    def fmt_datetime(self, moment: datetime) -> str:
        return self.local(moment).strftime("%H:%M %d/%m/%Y")

    def fmt_date(self, moment: datetime) -> str:
        return self.local(moment).strftime("%d/%m/%Y")
