"""Message catalogs (Project Fluent): every learner-facing text lives in ``locales/<lang>.ftl``.

Variables are HTML-escaped before they are placed into a message, because messages are sent with
Telegram's HTML parse mode; the catalogs themselves may use ``<b>`` and ``<i>``.
"""

from __future__ import annotations

import hashlib
import html
import logging
import os
import pickle
import tempfile
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


def t(language: str, key: str, /, **variables: Any) -> str:
    """Translate ``key``; falls back to Vietnamese, then to the key itself (and logs it)."""
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
