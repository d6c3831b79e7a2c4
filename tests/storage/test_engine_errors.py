"""A database error names the statement, never the values bound to it: those are names,
draft texts and chat ids (issue 11, item 4)."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from hocvuso.storage import db

NAME = "Nguyễn Văn A"
CHAT_ID = 987_654_321


async def test_a_failed_statement_does_not_show_its_bound_values(
    database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    engine = db.make_engine(database_url)
    log = logging.getLogger("tests.storage.engine_errors")
    try:
        with pytest.raises(DBAPIError) as caught:
            async with engine.begin() as connection:
                try:
                    await connection.execute(
                        text("INSERT INTO learner (chat_id, no_such_column) VALUES (:chat, :name)"),
                        {"chat": CHAT_ID, "name": NAME},
                    )
                except DBAPIError:
                    log.exception("statement failed")  # what the error router logs
                    raise
    finally:
        await engine.dispose()
    shown = str(caught.value) + caplog.text
    assert "no_such_column" in shown  # the statement is still there to debug with
    assert NAME not in shown
    assert str(CHAT_ID) not in shown
    assert "hidden due to hide_parameters" in shown
