"""Issue 12's acceptance, end to end: a learner passes level 1 in the real bot process (real HTTP,
the strict fake Bot API), receives the certificate PDF in the chat, and a third party checks it on
the real ``hocvuso web`` process: the QR code opens the check page ("valid"), a credential with a
changed name is "tampered", and after ``hocvuso certificate revoke`` (a separate process, as an
admin would run it) the same page says "revoked" and no longer shows the name.

The bot, the web process and the CLI share one database, one data directory, one signing key file
and one public URL: what the bot signs, the others verify.
"""

from __future__ import annotations

import asyncio
import io
import json
import os
import sys
import unicodedata
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pypdf
import pypdfium2
import pytest
import zxingcpp
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import select

from hocvuso.content.loader import Pack
from hocvuso.credentials import keys
from hocvuso.storage.models import Certificate
from tests.e2e.harness import BotProcess, study_until_exam
from tests.e2e.harness import Learner as Person
from tests.fakes.telegram_api import FakeTelegram
from tests.web.server import WebProcess

pytestmark = pytest.mark.e2e

PUBLIC_URL = "https://chungnhan.hocvuso.example.gov.vn"
ISSUER = "Ban Chỉ đạo Bình dân học vụ số"
# Telegram's two name fields, typed decomposed (combining marks, as some keyboards send them):
# the certificate, its credential and its page show the name composed (NFC).
FIRST_NAME = unicodedata.normalize("NFD", "Nguyễn Thị Hồng")
LAST_NAME = "Nhung"
NAME = "Nguyễn Thị Hồng Nhung"
VALID = ("Chứng nhận hợp lệ", "Valid certificate")
TAMPERED = ("Chứng nhận đã bị sửa đổi", "Certificate has been altered")
REVOKED = ("Chứng nhận đã bị thu hồi", "Certificate revoked")


@pytest.fixture
def shared_env(tmp_path: Path) -> dict[str, str]:
    """What the bot, the web process and the CLI share: keys, data directory, public URL."""
    key_file = tmp_path / "secrets" / "credential-keys.json"
    keys.write_file(key_file, keys.KeyRing((keys.new_key(datetime.now(UTC)),)))
    return {
        "HOCVUSO_CREDENTIAL_KEY_FILE": str(key_file),
        "HOCVUSO_DATA_DIR": str(tmp_path / "data"),
        "HOCVUSO_PUBLIC_URL": PUBLIC_URL,
        "HOCVUSO_ISSUER_NAME": ISSUER,
    }


@pytest.fixture
async def bot(
    fake: FakeTelegram,
    database_url: str,
    engine_db: AsyncEngine,
    tmp_path: Path,
    shared_env: dict[str, str],
) -> AsyncIterator[BotProcess]:
    process = BotProcess(fake, database_url, tmp_path, **shared_env)
    await process.start()
    yield process
    await process.stop()


async def pass_level_one(person: Person, pack: Pack) -> None:
    await person.onboard(role="Cán bộ, công chức", placement=True)
    # Placement: everything known except AI, so only the AI lessons remain before the exam.
    while "Xếp lớp" in (person.prompt().text or ""):
        _, question_id = person.question_on_screen()
        await person.answer(correct=pack.questions[question_id].area != "ai")
    await study_until_exam(person)
    await person.press("Bắt đầu thi")
    level = pack.level_info(1)
    assert level is not None
    for _ in range(level.exam.size):
        await person.answer(correct=True)


async def revoke_with_the_cli(
    database_url: str, workdir: Path, env: dict[str, str], code: str, reason: str
) -> str:
    """``hocvuso certificate revoke`` as its own process: the command line acts as the admin."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "hocvuso.cli",
        "certificate",
        "revoke",
        code,
        "--reason",
        reason,
        cwd=workdir,
        env={**os.environ, "HOCVUSO_DATABASE_URL": database_url, "COLUMNS": "200", **env},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await asyncio.wait_for(process.communicate(), timeout=120)
    text = output.decode("utf-8", errors="replace")
    assert process.returncode == 0, text
    return text


def says(page: httpx.Response, words: tuple[str, str]) -> bool:
    return all(word in page.text for word in words)


def with_name(credential: dict[str, Any], name: str) -> dict[str, Any]:
    changed: dict[str, Any] = json.loads(json.dumps(credential))
    identifiers = changed["credentialSubject"]["identifier"]
    (entry,) = [item for item in identifiers if item.get("identityType") == "name"]
    entry["identityHash"] = name
    return changed


async def upload(client: httpx.AsyncClient, document: dict[str, Any]) -> httpx.Response:
    data = json.dumps(document, ensure_ascii=False).encode()
    return await client.post(
        "/verify", files={"file": ("credential.json", data, "application/json")}
    )


async def test_a_certificate_from_the_chat_is_checked_tampered_and_revoked_on_the_web(
    bot: BotProcess,
    fake: FakeTelegram,
    core_pack: Pack,
    engine_db: AsyncEngine,
    database_url: str,
    tmp_path: Path,
    shared_env: dict[str, str],
) -> None:
    # 1. The learner passes the level 1 exam and receives the PDF in the chat.
    person = Person(fake, fake.user(5201, FIRST_NAME, last_name=LAST_NAME), core_pack)
    await pass_level_one(person, core_pack)
    async with engine_db.connect() as connection:
        (code,) = (await connection.execute(select(Certificate.id))).one()
    assert [c for c in fake.calls_to("sendDocument") if c.ok]
    (message,) = [m for m in person.user.visible_messages if m.document]
    assert message.document is not None and message.document.mime_type == "application/pdf"
    pdf = message.document.data or b""
    assert pdf.startswith(b"%PDF-")

    # 2. Its text: the name with its diacritics exact (NFC), the level named.
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    text = reader.pages[0].extract_text()
    assert NAME in text and unicodedata.is_normalized("NFC", NAME)
    assert f"Cấp độ 1: {core_pack.level_title(1, 'vi')}" in text
    assert f"Level 1: {core_pack.level_title(1, 'en')}" in text
    assert code in text

    # 3. The QR code on the rendered page is the check URL.
    image = pypdfium2.PdfDocument(pdf)[0].render(scale=2).to_pil()
    (qr,) = [found.text for found in zxingcpp.read_barcodes(image)]
    assert qr == f"{PUBLIC_URL}/verify/{code}"
    (attached,) = reader.attachments["credential.json"]
    credential = json.loads(attached)

    # 4. The real hocvuso web on the same database and keys: the QR's page says valid.
    web_dir = tmp_path / "web"
    web_dir.mkdir()
    async with (
        WebProcess(database_url, web_dir, **shared_env) as web,
        httpx.AsyncClient(base_url=web.base_url, timeout=30) as client,
    ):
        path = urlsplit(qr).path
        page = await client.get(path)
        assert page.status_code == 200
        assert says(page, VALID) and NAME in page.text
        assert core_pack.level_title(1, "vi") in page.text and ISSUER in page.text
        published = await client.get(f"/credentials/{code}.json")
        assert published.status_code == 200 and published.json() == credential

        # 5. The attached credential with another name: tampered. Unchanged: valid.
        forged = await upload(client, with_name(credential, "Nguyễn Thị Hồng Nhưng"))
        assert forged.status_code == 200
        assert says(forged, TAMPERED) and not says(forged, VALID)
        assert "Nhưng" not in forged.text
        genuine = await upload(client, credential)
        assert says(genuine, VALID) and NAME in genuine.text
        # The PDF itself, as a holder would upload it, is valid too.
        whole = await client.post(
            "/verify", files={"file": ("chung-nhan.pdf", pdf, "application/pdf")}
        )
        assert says(whole, VALID) and NAME in whole.text

        # 6. An admin revokes it with the CLI: the same page says revoked, without the name.
        output = await revoke_with_the_cli(
            database_url, tmp_path, shared_env, code, "Cấp nhầm người (kiểm thử)"
        )
        assert f"Đã thu hồi chứng nhận {code}" in output
        revoked = await client.get(path)
        assert revoked.status_code == 200
        assert says(revoked, REVOKED) and not says(revoked, VALID)
        assert NAME not in revoked.text
        assert (await client.get(f"/credentials/{code}.json")).status_code == 410
        # The unchanged credential, uploaded now, is revoked too (its status list bit is set).
        again = await upload(client, credential)
        assert says(again, REVOKED) and NAME not in again.text
    assert code not in web.log() and NAME not in web.log()

    # 7. Nothing the bot sent was refused by the strict fake.
    assert not person.saw_error()
    fake.assert_no_invalid_requests()
