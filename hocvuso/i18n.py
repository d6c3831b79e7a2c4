"""Message catalogs (Project Fluent): every learner-facing text lives in ``locales/<lang>.ftl``.

Values are kept raw and escaped exactly once, here, when they are placed into a message: :func:`t`
renders Telegram HTML (the catalogs may use ``<b>`` and ``<i>``) and returns it as
:class:`Markup`, which is never escaped again when it is placed into another message. A surface
that is not HTML (a button label, a toast, a file cell, the terminal) takes :func:`plain` of it,
which removes the catalog's tags and undoes the one escape. :func:`clean_name` is the one
sanitiser for names that enter the system (people and units).
"""

from __future__ import annotations

import hashlib
import html
import logging
import os
import pickle
import re
import secrets
import tempfile
import unicodedata
from functools import cache
from importlib.metadata import version
from pathlib import Path
from typing import Any

from fluent.runtime import FluentBundle, FluentResource
from fluent.syntax import ast
from fluent.syntax.ast import Resource
from fluent.syntax.visitor import Visitor

LOCALES = Path(__file__).parent / "locales"
FALLBACK = "vi"
log = logging.getLogger(__name__)

#: Where parsed catalogs are kept between runs (see :func:`use_cache`); None: parse each time.
_cache_dir: Path | None = None
_CACHE_FORMAT = b"hocvuso-catalog-cache 1"


def use_cache(directory: Path | None) -> None:
    """Keep parsed catalogs in ``directory`` (the data directory's cache): a restart reads
    them back instead of parsing the .ftl files again. Keyed by the catalog's text and the
    Fluent version; a cache that cannot be read is parsed over, one that cannot be written
    only costs the parse. Call before the first translation."""
    global _cache_dir
    _cache_dir = directory


def preload() -> None:
    """Load every catalog now (at start-up, before the first message needs one)."""
    for language in languages():
        _bundle(language)


def _parse(language: str) -> Resource:
    source = (LOCALES / f"{language}.ftl").read_bytes()
    if _cache_dir is None:
        return FluentResource(source.decode("utf-8"))
    digest = hashlib.sha256(_CACHE_FORMAT + version("fluent.syntax").encode() + b"\0" + source)
    header = _CACHE_FORMAT + b" " + digest.hexdigest().encode() + b"\n"
    path = _cache_dir / f"catalog-{language}.pickle"
    try:
        data = path.read_bytes()
        if data.startswith(header):
            resource = pickle.loads(data[len(header) :])
            if isinstance(resource, Resource):
                return resource
    except FileNotFoundError:
        pass
    except Exception as exc:  # a damaged cache must never stop the bot: parse instead
        log.warning("catalog cache %s is unreadable (%s); parsing %s.ftl", path, exc, language)
    resource = FluentResource(source.decode("utf-8"))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as file:
                file.write(header + pickle.dumps(resource, protocol=pickle.HIGHEST_PROTOCOL))
            os.replace(temporary, path)
        finally:
            Path(temporary).unlink(missing_ok=True)
    except OSError as exc:
        log.info("catalog cache %s not written (%s)", path, exc)
    return resource


#: Per catalog, the variables some message selects on or hands to a function (:class:`_Numeric`).
_numeric: dict[str, frozenset[str]] = {}


class _Numeric(Visitor):
    """Collects the variables a catalog uses as numbers: selectors (plural forms) and function
    arguments. Every other integer variable is only printed, and a small one (|n| < 1000) prints
    as its digits in every locale: :func:`t` places those as text, which spares Babel's number
    formatting (most of the cost of a message with a count in it)."""

    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()

    def _take(self, node: ast.BaseNode) -> None:
        found = _Variables()
        found.visit(node)
        self.names |= found.names

    def visit_SelectExpression(self, node: ast.SelectExpression) -> None:
        self._take(node.selector)
        self.generic_visit(node)

    def visit_CallArguments(self, node: ast.CallArguments) -> None:
        self._take(node)
        self.generic_visit(node)


class _Variables(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()

    def visit_VariableReference(self, node: ast.VariableReference) -> None:
        self.names.add(node.id.name)


@cache
def _bundle(language: str) -> FluentBundle:
    bundle = FluentBundle([language], use_isolating=False)
    resource = _parse(language)
    numeric = _Numeric()
    numeric.visit(resource)
    _numeric[language] = frozenset(numeric.names)
    bundle.add_resource(resource)
    return bundle


#: Fluent refuses a placeable longer than this (it prints ``{???}`` instead): :func:`t` places
#: longer texts itself (see :func:`_long`).
_FLUENT_PART_LIMIT = 2500
_LONG = 1000


def _argument(value: Any, name: str, numeric: frozenset[str]) -> Any:
    if isinstance(value, str):
        return escape(value)
    if type(value) is int and -1000 < value < 1000 and name not in numeric:
        return str(value)  # exactly what Babel prints for it, without formatting it
    return value


@cache
def _languages() -> tuple[str, ...]:
    return tuple(sorted(p.stem for p in LOCALES.glob("*.ftl")))


def languages() -> list[str]:
    return list(_languages())


def has(language: str, key: str) -> bool:
    return language in _languages() and _bundle(language).has_message(key)


def language_of(client_code: str | None, default: str = "vi") -> str:
    """The language to answer someone in, from their app's language code ("en", "en-US", …),
    before they chose one themselves: English for English clients, otherwise ``default``."""
    return "en" if (client_code or "").lower().startswith("en") else default


def t(language: str, key: str, /, **variables: Any) -> Markup:
    """Translate ``key`` into Telegram HTML, its variables escaped once; falls back to
    Vietnamese, then to the key itself (and logs it)."""
    for lang in (language, FALLBACK):
        if lang not in _languages():
            continue
        bundle = _bundle(lang)
        if bundle.has_message(key):
            message = bundle.get_message(key)
            numeric = _numeric[lang]
            args = {name: _argument(value, name, numeric) for name, value in variables.items()}
            if message.value is None:  # a message with attributes only: not one of ours
                continue
            args, long = _long(args, numeric)
            text, errors = bundle.format_pattern(message.value, args)
            if errors:
                log.warning("catalog %s/%s: %s", lang, key, errors)
            return Markup(_put_back(str(text), long) if long else text)
    log.error("missing message %s", key)
    return escape(key)


_PLACEHOLDER = re.compile("\ue000[0-9a-f]+\ue001")


def _long(args: dict[str, Any], numeric: frozenset[str]) -> tuple[dict[str, Any], dict[str, str]]:
    """Long texts (a broadcast, a mentee's reply) go into the message as placeholders, put back
    after formatting: Fluent would print ``{???}`` for a placeable over 2,500 characters."""
    long: dict[str, str] = {}
    for name, value in args.items():
        if isinstance(value, str) and len(value) > _LONG and name not in numeric:
            placeholder = f"\ue000{secrets.token_hex(8)}\ue001"
            long[placeholder] = value
            args = {**args, name: placeholder}
    return args, long


def _put_back(text: str, long: dict[str, str]) -> str:
    return _PLACEHOLDER.sub(lambda m: long.get(m.group(0), m.group(0)), text)


class Markup(str):
    """A string that is already safe HTML and is not escaped again when placed into a message."""

    __slots__ = ()


def escape(value: str) -> Markup:
    """``value`` as Telegram HTML: escaped once (a :class:`Markup` already is HTML)."""
    return Markup(value) if isinstance(value, Markup) else Markup(html.escape(value, quote=False))


_TAGS = re.compile(r"<[^>]+>")


def plain(text: str) -> str:
    """A text for a surface that is not HTML (a button label, a toast, a file cell, the
    terminal): :class:`Markup` loses its tags and its one escape; any other string is raw
    already and is returned as it is."""
    if isinstance(text, Markup):
        return html.unescape(_TAGS.sub("", text))
    return str(text)


def tp(language: str, key: str, /, **variables: Any) -> str:
    """:func:`t` as plain text (see :func:`plain`)."""
    return plain(t(language, key, **variables))


_SPACES = re.compile(r"\s+")


def clean_name(value: str | None, limit: int | None = None) -> str:
    """A name as it is stored: without format characters (Cf: bidi overrides, embeddings and
    isolates, U+200E/U+200F, U+061C, zero-width characters, U+2060, U+FEFF), control characters
    (Cc: a tab or a line break becomes a space) or lone surrogates, in NFC, whitespace collapsed
    to single spaces, cut to ``limit`` characters. An empty result means "no name": the caller
    asks again (or keeps none), it never stores an invisible one."""
    kept = []
    for char in value or "":
        category = unicodedata.category(char)
        if category == "Cc":
            kept.append(" ")
        elif category not in ("Cf", "Cs"):
            kept.append(char)
    name = _SPACES.sub(" ", unicodedata.normalize("NFC", "".join(kept))).strip()
    if limit is not None:
        name = name[:limit].rstrip()
    return name
