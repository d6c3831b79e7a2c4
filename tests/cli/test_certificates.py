"""``hocvuso certificate …``: verify's exit codes (JSON and PDF, own and foreign keys), revoke,
show, keys and backfill, on the test database (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
import io
import json
import random
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfWriter
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession
from typer.testing import CliRunner, Result

from hocvuso.cli import app
from hocvuso.config import Settings, get_settings
from hocvuso.content.loader import Pack
from hocvuso.credentials.keys import KeyRing, new_key
from hocvuso.learning import exams
from hocvuso.storage.models import Certificate
from tests.factories import add_learner

NOW = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)
NAME = "Đặng Thị Ngọc Ánh"
TEST_PACK = Path(__file__).resolve().parent.parent / "fixtures" / "pack"


@pytest.fixture
def ring() -> KeyRing:
    return KeyRing((new_key(NOW - timedelta(days=3)),))


class Cli:
    def __init__(self, database_url: str, data_dir: Path, ring: KeyRing | None) -> None:
        self.env: dict[str, str | None] = {
            "HOCVUSO_DATABASE_URL": database_url,
            "HOCVUSO_CONTENT_PATH": str(TEST_PACK),
            "HOCVUSO_DATA_DIR": str(data_dir),
            "HOCVUSO_CREDENTIAL_KEYS": json.dumps(ring.to_json()) if ring else None,
            "HOCVUSO_CREDENTIAL_KEY_FILE": None,
            "COLUMNS": "200",
        }

    async def __call__(self, *args: str, **env: str | None) -> Result:
        def invoke() -> Result:
            get_settings.cache_clear()
            try:
                return CliRunner().invoke(app, list(args), env={**self.env, **env})
            finally:
                get_settings.cache_clear()

        return await asyncio.to_thread(invoke)


@pytest.fixture
def cli(database_url: str, tmp_path: Path, ring: KeyRing) -> Cli:
    return Cli(database_url, tmp_path, ring)


async def _issue(
    sessions: async_sessionmaker[AsyncSession], pack: Pack, settings: Settings, ring: KeyRing
) -> Certificate:
    learner = await add_learner(sessions, unit=None, name=NAME, created_at=NOW - timedelta(days=5))
    async with sessions() as session, session.begin():
        exam = await exams.start(session, pack, learner.id or 0, 1, random.Random(1), NOW)
        for _ in exam.question_ids:
            exams.record(exam, True)
        result = await exams.finish(session, pack, exam, NOW, settings=settings, ring=ring)
        assert result.certificate is not None and result.certificate.credential is not None
        return result.certificate


def _write(path: Path, document: dict[str, Any]) -> Path:
    path.write_text(json.dumps(document, ensure_ascii=False), "utf-8")
    return path


def _pdf(path: Path, document: dict[str, Any]) -> Path:
    writer = PdfWriter()
    writer.add_blank_page(842, 595)
    writer.add_attachment("credential.json", json.dumps(document).encode())
    out = io.BytesIO()
    writer.write(out)
    path.write_bytes(out.getvalue())
    return path


async def test_verify_exits_0_only_for_a_valid_credential_and_says_why_one_fails(
    sessions: async_sessionmaker[AsyncSession],
    pack: Pack,
    settings: Settings,
    ring: KeyRing,
    cli: Cli,
    tmp_path: Path,
) -> None:
    certificate = await _issue(sessions, pack, settings, ring)
    credential = certificate.credential
    assert credential is not None
    good = _write(tmp_path / "good.json", credential)

    valid = await cli("certificate", "verify", str(good))
    assert valid.exit_code == 0, valid.output
    assert "HỢP LỆ" in valid.output and NAME in valid.output and "01/12/2026" in valid.output
    pdf = await cli("certificate", "verify", str(_pdf(tmp_path / "c.pdf", credential)))
    assert pdf.exit_code == 0 and NAME in pdf.output

    changed = json.loads(json.dumps(credential))
    changed["credentialSubject"]["identifier"][0]["identityHash"] = "Đặng Thị Ngọc Anh"
    tampered = await cli("certificate", "verify", str(_write(tmp_path / "bad.json", changed)))
    assert tampered.exit_code == 1
    assert "BỊ SỬA ĐỔI" in tampered.output and "signature does not match" in tampered.output
    assert NAME not in tampered.output

    (tmp_path / "not.json").write_text("{ không phải JSON")
    unreadable = await cli("certificate", "verify", str(tmp_path / "not.json"))
    assert unreadable.exit_code == 2 and "not a JSON credential" in unreadable.output
    no_attachment = tmp_path / "empty.pdf"
    writer = PdfWriter()
    writer.add_blank_page(842, 595)
    with no_attachment.open("wb") as out:
        writer.write(out)
    missing = await cli("certificate", "verify", str(no_attachment))
    assert missing.exit_code == 2 and "credential.json" in missing.output

    # Revoked by the CLI: verify now fails, saying so and nothing else.
    revoke = await cli("certificate", "revoke", certificate.id, "--reason", "cấp nhầm")
    assert revoke.exit_code == 0 and f"Đã thu hồi chứng nhận {certificate.id}" in revoke.output
    again = await cli("certificate", "revoke", certificate.id, "--reason", "cấp nhầm")
    assert again.exit_code == 0 and "already revoked" in again.output
    revoked = await cli("certificate", "verify", str(good))
    assert revoked.exit_code == 1 and "ĐÃ THU HỒI" in revoked.output
    assert NAME not in revoked.output
    unknown = await cli("certificate", "revoke", "HVS1-XXXX-XXXX", "--reason", "x")
    assert unknown.exit_code == 1 and "Không có chứng nhận nào mang mã" in unknown.output


async def test_verify_with_a_foreign_key_trusts_that_key_only(
    sessions: async_sessionmaker[AsyncSession],
    pack: Pack,
    settings: Settings,
    ring: KeyRing,
    database_url: str,
    tmp_path: Path,
) -> None:
    certificate = await _issue(sessions, pack, settings, ring)
    assert certificate.credential is not None
    path = _write(tmp_path / "c.json", certificate.credential)
    stranger = Cli(database_url, tmp_path / "elsewhere", KeyRing((new_key(NOW),)))
    mine = await stranger("certificate", "verify", str(path))
    assert mine.exit_code == 1 and "does not trust" in mine.output
    their = await stranger(
        "certificate", "verify", str(path), "--key", ring.current.public_multibase
    )
    assert their.exit_code == 0 and NAME in their.output
    other = new_key(NOW).public_multibase
    wrong = await stranger("certificate", "verify", str(path), "--key", other)
    assert wrong.exit_code == 1 and "signature does not match" in wrong.output
    bad = await stranger("certificate", "verify", str(path), "--key", "not-a-key")
    assert bad.exit_code == 2 and "z6Mk" in bad.output


async def test_show_prints_the_credential_and_backfill_signs_old_certificates(
    sessions: async_sessionmaker[AsyncSession],
    pack: Pack,
    settings: Settings,
    ring: KeyRing,
    cli: Cli,
) -> None:
    certificate = await _issue(sessions, pack, settings, ring)
    shown = await cli("certificate", "show", certificate.id.lower())
    assert shown.exit_code == 0 and json.loads(shown.output) == certificate.credential
    nothing = await cli("certificate", "show", "HVS9-AAAA-BBBB")
    assert nothing.exit_code == 1 and "No certificate has the code" in nothing.output

    old = await add_learner(
        sessions, unit=None, name="Hồ Văn Tâm", created_at=NOW, certified=[(1, NOW)]
    )
    async with sessions() as session:
        (unsigned,) = await exams.certificates(session, old.id or 0)
    before = await cli("certificate", "show", unsigned.id)
    assert before.exit_code == 1 and "backfill" in before.output
    filled = await cli("certificate", "backfill")
    assert filled.exit_code == 0 and "Đã ký 1 chứng nhận" in filled.output
    after = await cli("certificate", "show", unsigned.id)
    assert after.exit_code == 0 and "Hồ Văn Tâm" in after.output


async def test_keys_rotate_writes_an_owner_only_file_and_keeps_the_old_key(
    database_url: str, tmp_path: Path
) -> None:
    cli = Cli(database_url, tmp_path, None)
    path = tmp_path / "keys" / "credential-keys.json"
    first = await cli("certificate", "keys", "rotate", HOCVUSO_CREDENTIAL_KEY_FILE=str(path))
    second = await cli("certificate", "keys", "rotate", HOCVUSO_CREDENTIAL_KEY_FILE=str(path))
    assert first.exit_code == 0 and second.exit_code == 0, second.output
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    names = [key["name"] for key in json.loads(path.read_text())["keys"]]
    assert len(names) == 2 and names[1] in second.output
    listed = await cli("certificate", "keys", "list", HOCVUSO_CREDENTIAL_KEY_FILE=str(path))
    assert listed.exit_code == 0 and all(name in listed.output for name in names)
    assert "secretKeyMultibase" not in listed.output
    from_env = Cli(database_url, tmp_path, KeyRing((new_key(NOW),)))
    refused = await from_env("certificate", "keys", "rotate")
    assert refused.exit_code == 1 and "HOCVUSO_CREDENTIAL_KEYS" in refused.output
