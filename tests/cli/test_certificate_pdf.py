"""``hocvuso certificate pdf CODE -o FILE`` writes the PDF the chat sends, and refuses clearly."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pypdf
import pytest
from sqlmodel import select

from hocvuso.storage.models import Certificate
from tests.chat.flows.test_certificate import pass_level_one
from tests.factories import Conversation
from tests.organising.cli import hocvuso


async def certified(chat: Conversation) -> Certificate:
    await pass_level_one(chat)
    async with chat.engine.sessions() as session:
        return (await session.exec(select(Certificate))).one()


@pytest.fixture(autouse=True)
def data_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # The same data directory as the chat's settings (tests/conftest.py): the same keys.
    monkeypatch.setenv("HOCVUSO_DATA_DIR", str(tmp_path))


async def test_it_writes_the_certificate_pdf(
    chat: Conversation, database_url: str, tmp_path: Path
) -> None:
    certificate = await certified(chat)
    target = tmp_path / "out" / "nhung.pdf"
    target.parent.mkdir()
    # The code as a person might type it: lower case, with spaces around.
    result = await hocvuso(database_url, "certificate", "pdf", f" {certificate.id.lower()} ",
                           "-o", str(target))  # fmt: skip
    assert result.exit_code == 0, result.output
    assert f"written {target}" in result.output
    reader = pypdf.PdfReader(io.BytesIO(target.read_bytes()))
    text = reader.pages[0].extract_text()
    assert "Nguyễn Thị Lan" in text and certificate.id in text
    (payload,) = reader.attachments["credential.json"]
    assert json.loads(payload) == certificate.credential


async def test_a_folder_gets_the_file_named_after_the_code(
    chat: Conversation, database_url: str, tmp_path: Path
) -> None:
    certificate = await certified(chat)
    result = await hocvuso(database_url, "certificate", "pdf", certificate.id, "-o", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert (tmp_path / f"hocvuso-chung-nhan-{certificate.id}.pdf").read_bytes()[:5] == b"%PDF-"


async def test_an_unknown_code_is_refused_and_nothing_is_written(
    chat: Conversation, database_url: str, tmp_path: Path
) -> None:
    await certified(chat)
    target = tmp_path / "x.pdf"
    result = await hocvuso(database_url, "certificate", "pdf", "NOSUCHCODE", "-o", str(target))
    assert result.exit_code == 1
    assert "no certificate has the code NOSUCHCODE" in result.output
    assert not target.exists()


async def test_a_revoked_certificate_has_no_pdf(
    chat: Conversation, database_url: str, tmp_path: Path
) -> None:
    certificate = await certified(chat)
    async with chat.engine.sessions() as session, session.begin():
        row = await session.get(Certificate, certificate.id)
        assert row is not None
        row.revoked_at = datetime(2026, 12, 1, tzinfo=UTC)
    target = tmp_path / "x.pdf"
    target.write_bytes(b"an older file")
    result = await hocvuso(database_url, "certificate", "pdf", certificate.id, "-o", str(target))
    assert result.exit_code == 1
    assert f"certificate {certificate.id} was revoked" in result.output
    assert target.read_bytes() == b"an older file"  # nothing lost


async def test_a_missing_folder_is_named(database_url: str, tmp_path: Path) -> None:
    target = tmp_path / "no" / "such" / "x.pdf"
    result = await hocvuso(database_url, "certificate", "pdf", "ABC", "-o", str(target))
    assert result.exit_code == 2
    assert "does not exist" in result.output


async def test_the_written_pdf_verifies_offline(
    chat: Conversation, database_url: str, tmp_path: Path
) -> None:
    certificate = await certified(chat)
    target = tmp_path / "c.pdf"
    written = await hocvuso(database_url, "certificate", "pdf", certificate.id, "-o", str(target))
    assert written.exit_code == 0, written.output
    # What a verifier does with the file alone: the attached credential's signature holds.
    verified = await hocvuso(database_url, "certificate", "verify", str(target))
    assert verified.exit_code == 0, verified.output
    assert "Nguyễn Thị Lan" in verified.output
