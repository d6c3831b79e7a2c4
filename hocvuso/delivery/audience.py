"""Who a broadcast or campaign reaches: units, roles, levels, or everyone.

An audience is a small dict, stored as JSON with the broadcast or campaign::

    {"units": ["QH", "HN-*"], "trees": ["QH"], "roles": ["deputy"], "levels": [1, 2]}

Lists are OR-ed inside, AND-ed together; empty or missing means "any". A unit ending in ``*`` is
a prefix; ``trees`` are unit codes of the unit tree, each standing for the unit and every unit
below it (an organiser's scope). Only people who can be reached are ever included: active, with
a chat, with consent to the current terms (:mod:`hocvuso.storage.consent`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import ColumnElement, and_, or_, select, true

from hocvuso.content.schema import ROLES
from hocvuso.storage import tables
from hocvuso.storage.consent import consented
from hocvuso.storage.models import LearnerStatus

L = tables.LEARNER
U = tables.UNIT
KEYS = ("units", "trees", "roles", "levels")


class AudienceError(ValueError):
    pass


def parse(items: Iterable[str]) -> dict[str, list[Any]]:
    """``["unit=QH,HN-*", "role=deputy", "level=1"]`` → an audience dict."""
    audience: dict[str, list[Any]] = {}
    for item in items:
        name, sep, values = item.partition("=")
        name = name.strip().lower().rstrip("s") + "s"
        if not sep or name not in KEYS or not values.strip():
            raise AudienceError(
                f"audience must look like unit=…, tree=…, role=… or level=…: {item!r}"
            )
        parts = [v.strip() for v in values.split(",") if v.strip()]
        if name == "levels":
            if not all(p.isdigit() for p in parts):
                raise AudienceError(f"levels are numbers: {item!r}")
            audience.setdefault(name, []).extend(int(p) for p in parts)
        else:
            audience.setdefault(name, []).extend(parts)
    return audience


def validate(audience: dict[str, Any]) -> dict[str, list[Any]]:
    unknown = set(audience) - set(KEYS)
    if unknown:
        raise AudienceError(f"unknown audience keys {sorted(unknown)}; use {', '.join(KEYS)}")
    roles = set(audience.get("roles") or []) - set(ROLES)
    if roles:
        raise AudienceError(f"unknown roles {sorted(roles)}; use {', '.join(ROLES)}")
    return {k: list(v) for k, v in audience.items() if v}


def reachable(consent: str) -> ColumnElement[bool]:
    """Active, with a chat, and agreed to the terms ``consent`` (the current ones)."""
    return and_(
        L.c.status == LearnerStatus.ACTIVE,
        L.c.chat_id.is_not(None),
        consented(consent),
    )


def where(audience: dict[str, Any], consent: str) -> ColumnElement[bool]:
    """The SQL condition on ``learner`` for an audience (reachable people only, who agreed to
    the terms ``consent``)."""
    conditions: list[ColumnElement[bool]] = [reachable(consent)]
    units = audience.get("units") or []
    if units:
        exact = [u for u in units if not u.endswith("*")]
        prefixes = [u[:-1] for u in units if u.endswith("*")]
        options: list[ColumnElement[bool]] = [L.c.unit_code.in_(exact)] if exact else []
        options += [L.c.unit_code.startswith(p, autoescape=True) for p in prefixes]
        conditions.append(or_(*options))
    if audience.get("trees"):
        conditions.append(L.c.unit_code.in_(_tree_codes(audience["trees"])))
    if audience.get("roles"):
        conditions.append(L.c.role.in_(audience["roles"]))
    if audience.get("levels"):
        conditions.append(L.c.level.in_(audience["levels"]))
    return and_(true(), *conditions)


def _tree_codes(codes: list[str]) -> Any:
    """The codes of every unit in the subtrees of ``codes`` (unknown codes reach nobody)."""
    root = U.alias("root")
    return (
        select(U.c.code)
        .select_from(U.join(root, U.c.path.startswith(root.c.path)))
        .where(root.c.code.in_(codes))
    )


def describe(audience: dict[str, Any]) -> str:
    parts = [f"{k}={','.join(str(v) for v in audience[k])}" for k in KEYS if audience.get(k)]
    return "; ".join(parts) or "everyone"
