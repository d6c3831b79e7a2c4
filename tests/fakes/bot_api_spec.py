"""The official Bot API specification as data (``api.json``), and what the fake reads from it.

The file is the machine-readable Bot API reference (methods, their fields with ``types`` and
``required``, and object types), vendored in ``tests/fakes/botapi/`` with its licence and
provenance (see the README there), so that the repository alone runs its tests. The fake uses it
to reject unknown methods, undocumented and missing required parameters, to check the shape of
JSON-serialised objects, and to read documented limits such as "1-4096 characters" or "1-64
bytes" straight from the field descriptions.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

SPEC_PATH = Path(__file__).resolve().parent / "botapi" / "api.json"

_RANGE = re.compile(r"(\d+)-(\d+) (characters|bytes)")
_LIST_RANGE = re.compile(r"list of (\d+)-(\d+)")
_AT_MOST = re.compile(r"At most (\d+)")
_DISCRIMINATOR = re.compile(r"(?:must be|always) [“\"]?([a-z_]+)[”\"]?")


def api_spec_path() -> Path:
    """Where ``api.json`` is: the copy vendored in ``tests/fakes/botapi/``."""
    return SPEC_PATH


@dataclass(frozen=True)
class Limit:
    """A documented size limit of a field: ``low``-``high`` characters, bytes or list items."""

    low: int
    high: int
    unit: str  # "characters", "bytes" or "items"


@dataclass(frozen=True)
class FieldSpec:
    name: str
    types: tuple[str, ...]
    required: bool
    description: str
    limit: Limit | None = None

    @property
    def after_entities_parsing(self) -> bool:
        """True when the documented length is counted after formatting is parsed."""
        return "after entit" in self.description


@dataclass(frozen=True)
class MethodSpec:
    name: str
    fields: dict[str, FieldSpec]
    returns: tuple[str, ...]

    @property
    def required(self) -> list[str]:
        return [f.name for f in self.fields.values() if f.required]


@dataclass(frozen=True)
class TypeSpec:
    name: str
    fields: dict[str, FieldSpec] = field(default_factory=dict)
    subtypes: tuple[str, ...] = ()
    discriminator: tuple[str, str] | None = None  # (field, value) that identifies a subtype


def _limit(description: str, types: tuple[str, ...]) -> Limit | None:
    is_array = any(t.startswith("Array of") for t in types)
    if is_array:
        if m := _LIST_RANGE.search(description):
            return Limit(int(m.group(1)), int(m.group(2)), "items")
        if m := _AT_MOST.search(description):
            return Limit(0, int(m.group(1)), "items")
        return None
    if "String" in types and (m := _RANGE.search(description)):
        return Limit(int(m.group(1)), int(m.group(2)), m.group(3))
    return None


def _field(raw: dict[str, Any]) -> FieldSpec:
    types = tuple(raw.get("types", ()))
    description = raw.get("description", "")
    return FieldSpec(
        name=raw["name"],
        types=types,
        required=bool(raw.get("required")),
        description=description,
        limit=_limit(description, types),
    )


class BotApiSpec:
    """Methods and types of the Bot API; method names are looked up ignoring case, like Telegram."""

    def __init__(self, raw: dict[str, Any]) -> None:
        self.version: str = raw.get("version", "")
        self.methods: dict[str, MethodSpec] = {}
        self._methods_lower: dict[str, MethodSpec] = {}
        for name, method in raw["methods"].items():
            spec = MethodSpec(
                name=name,
                fields={f["name"]: _field(f) for f in method.get("fields", [])},
                returns=tuple(method.get("returns", ())),
            )
            self.methods[name] = spec
            self._methods_lower[name.lower()] = spec
        self.types: dict[str, TypeSpec] = {}
        for name, type_ in raw["types"].items():
            fields = {f["name"]: _field(f) for f in type_.get("fields", [])}
            self.types[name] = TypeSpec(
                name=name,
                fields=fields,
                subtypes=tuple(type_.get("subtypes", ())),
                discriminator=_discriminator(fields),
            )

    def method(self, name: str) -> MethodSpec | None:
        return self._methods_lower.get(name.lower())

    def type(self, name: str) -> TypeSpec | None:
        return self.types.get(name)


def _discriminator(fields: dict[str, FieldSpec]) -> tuple[str, str] | None:
    for key in ("type", "source", "status"):
        spec = fields.get(key)
        if spec is None or not spec.required:
            continue
        if m := _DISCRIMINATOR.search(spec.description):
            return key, m.group(1)
    return None


@cache
def _load(path: str) -> BotApiSpec:
    return BotApiSpec(json.loads(Path(path).read_text(encoding="utf-8")))


def load_spec() -> BotApiSpec:
    """Load (once) the vendored Bot API specification; a clear error if the file is missing."""
    if not SPEC_PATH.is_file():
        raise FileNotFoundError(f"Bot API specification not found at {SPEC_PATH}")
    return _load(str(SPEC_PATH))
