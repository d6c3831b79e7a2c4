"""Message catalogs (Project Fluent): every learner-facing text lives in ``locales/<lang>.ftl``.

Variables are HTML-escaped before they are placed into a message, because messages are sent with
Telegram's HTML parse mode; the catalogs themselves may use ``<b>`` and ``<i>``.
"""

from __future__ import annotations

import html
import logging
from functools import cache
from pathlib import Path
from typing import Any

from fluent.runtime import FluentBundle, FluentResource

LOCALES = Path(__file__).parent / "locales"
FALLBACK = "vi"
log = logging.getLogger(__name__)


@cache
def _bundle(language: str) -> FluentBundle:
    bundle = FluentBundle([language], use_isolating=False)
    bundle.add_resource(FluentResource((LOCALES / f"{language}.ftl").read_text(encoding="utf-8")))
    return bundle


def languages() -> list[str]:
    return sorted(p.stem for p in LOCALES.glob("*.ftl"))


def has(language: str, key: str) -> bool:
    return language in languages() and _bundle(language).has_message(key)


def language_of(client_code: str | None, default: str = "vi") -> str:
    """The language to answer someone in, from their app's language code ("en", "en-US", …),
    before they chose one themselves: English for English clients, otherwise ``default``."""
    return "en" if (client_code or "").lower().startswith("en") else default


def t(language: str, key: str, /, **variables: Any) -> str:
    """Translate ``key``; falls back to Vietnamese, then to the key itself (and logs it)."""
    for lang in (language, FALLBACK):
        if lang not in languages():
            continue
        bundle = _bundle(lang)
        if bundle.has_message(key):
            message = bundle.get_message(key)
            args = {
                name: escape(value) if isinstance(value, str) else value
                for name, value in variables.items()
            }
            if message.value is None:  # a message with attributes only: not one of ours
                continue
            text, errors = bundle.format_pattern(message.value, args)
            if errors:
                log.warning("catalog %s/%s: %s", lang, key, errors)
            return str(text)
    log.error("missing message %s", key)
    return key


class Markup(str):
    """A string that is already safe HTML and is not escaped again when placed into a message."""

    __slots__ = ()


def escape(value: str) -> str:
    return str(value) if isinstance(value, Markup) else html.escape(value, quote=False)
