"""Statements planned for their values (PostgreSQL): asyncpg's prepared statements would switch
to a generic plan after five runs, several times slower for the unit report at national scale."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from hocvuso.storage import db

pytestmark = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)


async def test_statements_inside_are_planned_for_their_values_and_the_setting_is_undone_after(
    database_url: str,
) -> None:
    engine = db.make_engine(database_url)
    show = text("SHOW plan_cache_mode")
    try:
        async with engine.begin() as connection:
            before = (await connection.execute(show)).scalar_one()
            async with db.planned_for_values(connection):
                inside = (await connection.execute(show)).scalar_one()
            after = (await connection.execute(show)).scalar_one()
        async with engine.connect() as connection:  # the pooled connection, next transaction
            later = (await connection.execute(show)).scalar_one()
    finally:
        await engine.dispose()
    assert (before, inside, after, later) == ("auto", "force_custom_plan", "auto", "auto")


async def test_a_failing_statement_inside_is_the_error_seen_and_the_rollback_ends_the_setting(
    database_url: str,
) -> None:
    engine = db.make_engine(database_url)
    try:
        with pytest.raises(DBAPIError, match="division by zero"):
            async with engine.begin() as connection, db.planned_for_values(connection):
                await connection.execute(text("SELECT 1 / 0"))
        async with engine.connect() as connection:
            mode = (await connection.execute(text("SHOW plan_cache_mode"))).scalar_one()
    finally:
        await engine.dispose()
    assert mode == "auto"
