"""What a person did, as the learning core sees it, whatever the platform."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Person:
    platform: str
    chat_id: int
    display_name: str | None = None
    language_code: str | None = None
    #: The bot the person talks to (Telegram's id of it); 0 where a platform has no bots.
    bot_id: int = 0


@dataclass(frozen=True)
class Command:
    name: str  # without the slash, lower case
    args: str = ""


@dataclass(frozen=True)
class Text:
    text: str


@dataclass(frozen=True)
class Press:
    data: str


Event = Command | Text | Press


def parse_text(text: str) -> Command | Text:
    """A typed message: ``/name args`` (``/name@bot args`` in groups) is a command, lower case."""
    text = text.strip()
    if not text.startswith("/"):
        return Text(text)
    head, _, args = text[1:].partition(" ")
    return Command(head.split("@", 1)[0].lower(), args.strip())
