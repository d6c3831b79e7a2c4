"""Every table and column that can hold personal data is exported by /mydata, erased by /forget
or in the documented exclusions (issue 11, "Tables"), read from the models: a table or column
added later fails here until it is classified in hocvuso/organising/personal_data.py and
docs/privacy.md."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

import hocvuso.storage.tables  # noqa: F401  (registers every table)
from hocvuso.organising import privacy
from hocvuso.organising.personal_data import NOT_PERSONAL, PERSONAL
from hocvuso.storage.models import Learner
from hocvuso.storage.organising import Unit
from tests.factories import seed_every_table

ROOT = Path(__file__).resolve().parents[2]
AT = datetime(2026, 10, 5, 3, 0, tzinfo=UTC)
NOW = datetime(2026, 12, 2, 9, 30, tzinfo=UTC)


def test_every_table_of_the_models_is_classified() -> None:
    tables = set(SQLModel.metadata.tables)
    assert tables - set(PERSONAL) - set(NOT_PERSONAL) == set(), "classify new tables"
    assert set(PERSONAL) & set(NOT_PERSONAL) == set()
    assert set(PERSONAL) | set(NOT_PERSONAL) <= tables, "a classified table no longer exists"


def test_every_column_of_an_anonymised_table_is_cleared_or_kept_for_a_reason() -> None:
    for name, entry in PERSONAL.items():
        columns = set(SQLModel.metadata.tables[name].c.keys())
        if entry.erasure == "deleted":
            assert not entry.cleared and not entry.kept, name
            continue
        assert entry.cleared.isdisjoint(entry.kept), name
        assert columns == entry.cleared | set(entry.kept), f"classify the columns of {name}"
        assert all(reason.strip() for reason in entry.kept.values())


def test_docs_privacy_lists_every_table() -> None:
    text = (ROOT / "docs" / "privacy.md").read_text(encoding="utf-8")
    for name in (*PERSONAL, *NOT_PERSONAL):
        assert f"`{name}`" in text, f"docs/privacy.md does not mention {name}"


def _at(data: dict[str, Any], path: str) -> Any:
    for part in path.split("."):
        data = data[part]
    return data


async def _rows(session: AsyncSession, table: str, keys: list[dict[str, Any]]) -> list[Any]:
    stored = SQLModel.metadata.tables[table]
    found = []
    for key in keys:
        match = and_(*(stored.c[column] == value for column, value in key.items()))
        found.extend((await session.exec(select(stored).where(match))).all())  # type: ignore[call-overload]
    return found


async def _theirs(session: AsyncSession, table: str, learner_id: int) -> list[dict[str, Any]]:
    stored = SQLModel.metadata.tables[table]
    column = stored.c["learner_id" if table != "broadcast" else "requested_by"]
    query = select(stored).where(column == learner_id)
    return [dict(r._mapping) for r in (await session.exec(query)).all()]  # type: ignore[call-overload]


async def test_mydata_exports_every_personal_table_and_forget_erases_or_anonymises_it(
    sessions: async_sessionmaker[AsyncSession], tree: dict[str, Unit]
) -> None:
    seeded = await seed_every_table(sessions, tree, AT)
    person_id = seeded.person.id or 0
    async with sessions() as session:
        person = await session.get(Learner, person_id)
        assert person is not None
        export = await privacy.export_person(session, person, NOW)
    for name, entry in PERSONAL.items():
        for path in entry.exported_as:
            assert _at(export, path), f"/mydata has no {path} ({name})"

    anonymised = {n: e for n, e in PERSONAL.items() if e.erasure == "anonymised"}
    async with sessions() as session:
        before = {
            n: await _theirs(session, n, person_id)
            for n in anonymised
            if n not in ("learner", "audit_log")
        }
        before["learner"] = [(await session.get(Learner, person_id)).model_dump()]  # type: ignore[union-attr]
    async with sessions() as session, session.begin():
        person = await session.get(Learner, person_id)
        assert person is not None
        await privacy.do_erase(session, person, NOW)

    async with sessions() as session:
        for name, entry in PERSONAL.items():
            if entry.erasure == "deleted":
                left = await _rows(session, name, seeded.rows.get(name, []))
                assert seeded.rows.get(name) and left == [], f"/forget left {name} rows"
        for name, old_rows in before.items():
            if name == "learner":
                new_rows = [(await session.get(Learner, person_id)).model_dump()]  # type: ignore[union-attr]
            elif name == "broadcast":
                new_rows = await _rows(session, name, seeded.rows["broadcast"])
                new_rows = [dict(r._mapping) for r in new_rows]
            else:
                new_rows = await _theirs(session, name, person_id)
            assert old_rows and len(new_rows) == len(old_rows), name
            for old, new in zip(old_rows, new_rows, strict=True):
                for column in anonymised[name].cleared:
                    assert new[column] != old[column] or new[column] is None, (name, column)
