"""The unit tree: import from CSV or YAML, look-ups, subtrees, invite codes.

CSV: a header with ``code,name,parent`` (``parent`` empty for a top-level unit). YAML: either a
list of ``{code, name, parent}`` or nested ``{code, name, children: [...]}`` under ``units:``
(see ``examples/units/quoc-hoi.yaml``). Importing again updates names and parents and keeps the
invite codes; units missing from the file are left alone. Errors name the line of the file.
"""

from __future__ import annotations

import csv
import io
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import ColumnElement, or_, true
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from hocvuso.i18n import clean_name
from hocvuso.organising import audit
from hocvuso.organising.errors import Invalid, NotFound
from hocvuso.storage import tables
from hocvuso.storage.organising import Unit

CODE = re.compile(r"^[A-Za-z0-9_.\-]{1,32}$")
#: Invite codes are typed by people on phones: upper case, no 0/O or 1/I; 10 characters from 32
#: (50 bits) cannot be guessed at the bot's per-person rate limit.
INVITE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
INVITE_LENGTH = 10


def learners_in(scope: Unit | None) -> ColumnElement[bool]:
    """SQL condition on ``learner``: in the unit's subtree (None: everyone). The one way the
    dashboard's queries narrow learners to a scope."""
    if scope is None:
        return true()
    subtree = select(tables.UNIT.c.code).where(tables.UNIT.c.path.startswith(scope.path))
    return tables.LEARNER.c.unit_code.in_(subtree)


def new_invite_code() -> str:
    return "".join(secrets.choice(INVITE_ALPHABET) for _ in range(INVITE_LENGTH))


def normalise_invite(text: str) -> str:
    return text.strip().upper()


@dataclass(frozen=True)
class UnitSpec:
    code: str
    name: str
    parent: str | None = None
    #: Where it was read: the line of the file (errors name it), not part of the unit.
    line: int | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        # The name as it is stored (no bidi or zero-width characters); empty: refused by
        # check_specs with the line, and nothing of the file is imported.
        object.__setattr__(self, "name", clean_name(self.name))


@dataclass(frozen=True)
class Imported:
    created: int
    updated: int


# --- reading files ------------------------------------------------------------------------------
def load_file(path: Path) -> list[UnitSpec]:
    suffix = path.suffix.lower()
    if suffix not in {".csv", ".yaml", ".yml"}:
        raise Invalid("units-file-type", name=path.name)
    try:
        text = path.read_text(encoding="utf-8-sig")
        return parse_csv(text) if suffix == ".csv" else parse_yaml(text)
    except UnicodeDecodeError:
        raise Invalid("units-file-encoding", name=path.name) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else "?"
        raise Invalid("units-file-yaml", name=path.name, line=line) from None


def parse_csv(text: str) -> list[UnitSpec]:
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or not {"code", "name"} <= set(reader.fieldnames):
        raise Invalid("units-file-columns")
    return [
        UnitSpec(
            (row.get("code") or "").strip(),
            row.get("name") or "",
            (row.get("parent") or "").strip() or None,
            line=reader.line_num,  # the line the row ends on (the header is line 1)
        )
        for row in reader
    ]


class _Lines(yaml.SafeLoader):
    """Remembers the line each mapping starts on, so errors can name it."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        mapping = super().construct_mapping(node, deep=deep)
        mapping[_LINE] = node.start_mark.line + 1
        return mapping


_LINE = object()


def parse_yaml(text: str) -> list[UnitSpec]:
    data = yaml.load(text, Loader=_Lines)  # _Lines is a SafeLoader
    items = data.get("units") if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise Invalid("units-file-columns")
    specs: list[UnitSpec] = []

    def walk(nodes: list[Any], parent: str | None) -> None:
        for node in nodes:
            if not isinstance(node, dict):
                raise Invalid("units-file-columns")
            code = _text(node.get("code"))
            specs.append(
                UnitSpec(
                    code,
                    _text(node.get("name")),
                    _text(node.get("parent")) or parent,
                    line=node.get(_LINE),
                )
            )
            children = node.get("children") or []
            if not isinstance(children, list):
                raise Invalid("units-file-columns")
            walk(children, code)

    walk(items, None)
    return specs


def _text(value: Any) -> str:
    """A YAML scalar as text (``code:`` left empty is no code, not "None")."""
    return "" if value is None else str(value).strip()


def check_specs(specs: list[UnitSpec], known: Mapping[str, str | None]) -> None:
    """Codes well-formed and unique, names present, every parent known, no cycle.

    ``known``: the units already stored, code → parent code (a file may move them)."""
    seen: dict[str, UnitSpec] = {}
    rows = [(spec.line or number, spec) for number, spec in enumerate(specs, start=1)]
    for row, spec in rows:
        if not CODE.match(spec.code):
            raise Invalid("units-bad-code", row=row, code=spec.code)
        if not spec.name or len(spec.name) > 300:
            raise Invalid("units-bad-name", row=row, code=spec.code)
        if spec.code in seen:
            raise Invalid("units-duplicate", row=row, code=spec.code)
        seen[spec.code] = spec
    for row, spec in rows:
        if spec.parent is not None and spec.parent not in seen and spec.parent not in known:
            raise Invalid("units-unknown-parent", row=row, code=spec.code, parent=spec.parent)
    parents = {**known, **{spec.code: spec.parent for spec in specs}}
    for row, spec in rows:  # a cycle: walking up from a unit comes back to it
        above = parents.get(spec.code)
        for _ in range(len(parents)):
            if above is None:
                break
            if above == spec.code:
                raise Invalid("units-cycle", row=row, code=spec.code)
            above = parents.get(above)


# --- writing ------------------------------------------------------------------------------------
async def import_units(
    session: AsyncSession, specs: list[UnitSpec], *, actor_id: int | None, via: str, now: datetime
) -> Imported:
    existing = {u.code: u for u in (await session.exec(select(Unit))).all()}
    codes = {u.id: u.code for u in existing.values()}
    check_specs(specs, {u.code: codes.get(u.parent_id) for u in existing.values()})
    new: set[str] = set()
    changed: set[str] = set()
    used_invites = {u.invite_code for u in existing.values()}
    for spec in specs:
        unit = existing.get(spec.code)
        if unit is None:
            invite = new_invite_code()
            while invite in used_invites:
                invite = new_invite_code()
            used_invites.add(invite)
            unit = Unit(
                code=spec.code, name=spec.name, path="/", invite_code=invite, created_at=now
            )
            session.add(unit)
            existing[spec.code] = unit
            new.add(spec.code)
        elif unit.name != spec.name:
            unit.name = spec.name
            changed.add(spec.code)
    await session.flush()
    for spec in specs:
        unit = existing[spec.code]
        parent_id = existing[spec.parent].id if spec.parent else None
        if unit.parent_id != parent_id:
            if spec.code not in new:  # an existing unit moved
                changed.add(spec.code)
            unit.parent_id = parent_id
    _repath(list(existing.values()))
    await session.flush()
    await audit.record(
        session,
        actor_id,
        via,
        "units.import",
        None,
        now,
        created=len(new),
        updated=len(changed),
    )
    return Imported(len(new), len(changed))


def _repath(units: list[Unit]) -> None:
    by_id = {u.id: u for u in units}
    for unit in units:
        ids: list[int] = []
        current: Unit | None = unit
        while current is not None:
            assert current.id is not None
            if current.id in ids:
                raise Invalid("units-cycle", code=unit.code)
            ids.append(current.id)
            current = by_id.get(current.parent_id) if current.parent_id else None
        path = "/" + "/".join(str(i) for i in reversed(ids)) + "/"
        if unit.path != path:
            unit.path = path


# --- reading the tree ---------------------------------------------------------------------------
async def by_code(session: AsyncSession, code: str) -> Unit:
    unit = (await session.exec(select(Unit).where(Unit.code == code.strip()))).first()
    if unit is None:
        raise NotFound("unit-not-found", code=code)
    return unit


async def by_invite(session: AsyncSession, text: str) -> Unit | None:
    code = normalise_invite(text)
    if not code:
        return None
    return (await session.exec(select(Unit).where(Unit.invite_code == code))).first()


async def by_id(session: AsyncSession, unit_id: int) -> Unit:
    unit = await session.get(Unit, unit_id)
    if unit is None:
        raise NotFound("unit-not-found", code=str(unit_id))
    return unit


def in_subtree(unit: Unit, path: str) -> bool:
    """Whether the unit with ``path`` lies in ``unit``'s subtree (itself included)."""
    return path.startswith(unit.path)


def subtree(unit: Unit) -> ColumnElement[bool]:
    """SQL condition on ``unit``: the units in ``unit``'s subtree (itself included)."""
    return col(Unit.path).startswith(unit.path)


async def children(session: AsyncSession, unit: Unit | None) -> list[Unit]:
    parent = col(Unit.parent_id).is_(None) if unit is None else Unit.parent_id == unit.id
    return list((await session.exec(select(Unit).where(parent).order_by(col(Unit.code)))).all())


async def listing(session: AsyncSession, under: Unit | None = None) -> list[Unit]:
    query = select(Unit).order_by(col(Unit.path))
    if under is not None:
        query = query.where(subtree(under))
    return list((await session.exec(query)).all())


async def of_codes(session: AsyncSession, codes: list[str]) -> dict[str, Unit]:
    if not codes:
        return {}
    result = await session.exec(select(Unit).where(or_(col(Unit.code).in_(codes))))
    return {u.code: u for u in result.all()}


async def do_rotate_invite(
    session: AsyncSession, actor_id: int | None, via: str, unit: Unit, now: datetime
) -> str:
    """A new invite code for the unit (the old one stops working); audited."""
    unit.invite_code = new_invite_code()
    session.add(unit)
    await session.flush()
    await audit.record(session, actor_id, via, "units.rotate_invite", unit.id, now)
    return unit.invite_code
