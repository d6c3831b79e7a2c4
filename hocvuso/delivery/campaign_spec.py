"""Campaigns: drives toward a milestone, with messages placed relative to its date.

Like RapidPro campaign events, each message is placed relative to the milestone::

    at: 30 days before        # once
    at: on the day
    at: 3 days after
    every: monday             # weekly, from … until … (both relative to the milestone)
    from: 60 days before
    until: 1 day before       # default: on the day

A message goes out on its day from its hour (the campaign's ``send_hour`` unless it sets ``hour``)
in each learner's own time zone, until quiet hours begin; a day missed entirely (the service was
down) is not replayed later. During the peak (``peak: 14 days before``, until the milestone)
reminders may come daily. Templates fill ``{days_left}``, ``{milestone}``, ``{name}``,
``{target_level}``, ``{level}``, ``{my_progress}`` (percent of the learner's current level done)
and ``{unit_progress}`` (percent of the learner's unit certified at the target level).

The definition itself (parsing, validation, the schedule) is pure and lives here, below the
domain, so that reports (:mod:`hocvuso.organising.campaign_report`) lay out the same schedule
the scheduler sends (:mod:`hocvuso.scheduler.campaigns`).
"""

from __future__ import annotations

import re
import string
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from hocvuso.delivery import audience as aud

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_OFFSET = re.compile(r"^\s*(\d+)\s+(day|days|week|weeks)\s+(before|after)\s*$", re.IGNORECASE)
FIELDS = {
    "days_left",
    "milestone",
    "name",
    "target_level",
    "level",
    "my_progress",
    "unit_progress",
}


def parse_offset(text: str) -> int:
    """Days relative to the milestone: "30 days before" → -30, "on the day" → 0."""
    if text.strip().lower() in {"on the day", "0 days after", "0 days before"}:
        return 0
    match = _OFFSET.match(text)
    if match is None:
        raise ValueError(
            f"{text!r}: use 'N days before', 'N weeks after' or 'on the day' (relative to the "
            "milestone)"
        )
    count = int(match.group(1)) * (7 if match.group(2).lower().startswith("week") else 1)
    return -count if match.group(3).lower() == "before" else count


class Target(BaseModel):
    model_config = ConfigDict(extra="forbid")
    level: int = Field(default=1, ge=1, le=4)
    percent: int = Field(default=100, ge=1, le=100)


class Message(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    at: str | None = None
    every: Literal[WEEKDAYS] | None = None  # type: ignore[valid-type]
    from_: str | None = Field(default=None, alias="from")
    until: str = "on the day"
    hour: int | None = Field(default=None, ge=0, le=23)
    text: dict[str, str]
    button: bool = True

    @field_validator("text", mode="before")
    @classmethod
    def _languages(cls, value: Any) -> Any:
        return {"vi": value} if isinstance(value, str) else value

    @model_validator(mode="after")
    def _check(self) -> Message:
        if (self.at is None) == (self.every is None):
            raise ValueError("a message has either 'at' or 'every' (with 'from')")
        if self.every is not None and self.from_ is None:
            raise ValueError("'every' needs 'from' (for example 'from: 60 days before')")
        for value in (self.at, self.from_, self.until):
            if value is not None:
                parse_offset(value)
        if "vi" not in self.text:
            raise ValueError("every message needs a Vietnamese text ('vi')")
        for language, template in self.text.items():
            names = {f for _, f, _, _ in string.Formatter().parse(template) if f is not None}
            unknown = names - FIELDS
            if unknown:
                raise ValueError(
                    f"text[{language}] uses unknown fields {sorted(unknown)}; "
                    f"available: {sorted(FIELDS)}"
                )
        return self


class CampaignSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    slug: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{1,63}$")
    name: str = Field(min_length=1, max_length=200)
    milestone: date
    send_hour: int = Field(default=9, ge=0, le=23)
    audience: dict[str, list[Any]] = Field(default_factory=dict)
    target: Target = Field(default_factory=Target)
    peak: str | None = None
    messages: list[Message] = Field(min_length=1)

    @field_validator("audience")
    @classmethod
    def _audience(cls, value: dict[str, list[Any]]) -> dict[str, list[Any]]:
        return aud.validate(value)

    @field_validator("peak")
    @classmethod
    def _peak(cls, value: str | None) -> str | None:
        if value is not None:
            parse_offset(value)
        return value

    def hour_of(self, message: Message) -> int:
        return self.send_hour if message.hour is None else message.hour

    def occurrences(self, day: date) -> list[int]:
        """Indexes of the messages placed on ``day``."""
        found = []
        for index, message in enumerate(self.messages):
            if message.at is not None:
                if self.milestone + timedelta(days=parse_offset(message.at)) == day:
                    found.append(index)
                continue
            assert message.from_ is not None
            first = self.milestone + timedelta(days=parse_offset(message.from_))
            last = self.milestone + timedelta(days=parse_offset(message.until))
            if first <= day <= last and WEEKDAYS[day.weekday()] == message.every:
                found.append(index)
        return found

    def schedule(self) -> list[tuple[date, int]]:
        """Every (day, message index) of the campaign, in order."""
        offsets = [parse_offset(m.at or m.from_ or "on the day") for m in self.messages]
        first = self.milestone + timedelta(days=min(offsets))
        last = self.milestone + timedelta(
            days=max([0, *offsets, *(parse_offset(m.until) for m in self.messages if m.every)])
        )
        days = (first + timedelta(days=n) for n in range((last - first).days + 1))
        return [(day, index) for day in days for index in self.occurrences(day)]

    def in_peak(self, day: date) -> bool:
        if self.peak is None:
            return False
        return self.milestone + timedelta(days=parse_offset(self.peak)) <= day <= self.milestone

    def render(self, index: int, language: str, values: dict[str, Any]) -> str:
        texts = self.messages[index].text
        return texts.get(language, texts["vi"]).format(**values)


def load(path: Path) -> CampaignSpec:
    """Read and validate a campaign YAML file (pydantic errors name the field)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return CampaignSpec.model_validate(data)


def spec_of(campaign_spec: dict[str, Any]) -> CampaignSpec:
    return CampaignSpec.model_validate(campaign_spec)
