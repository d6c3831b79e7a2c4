"""A learner who passes level 1 receives the certificate PDF in the chat: the real bot process,
real HTTP, the strict fake Bot API (every call checked against the official description).

The test reads the PDF as its holder and a verifier would: the text with pypdf (the name's
diacritics exact), the QR code decoded from the rendered page (pypdfium2 + zxing-cpp), the signed
credential from the attachment.
"""

from __future__ import annotations

import io
import json
from collections.abc import AsyncIterator
from pathlib import Path

import pypdf
import pypdfium2
import pytest
import zxingcpp
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import select

from hocvuso.content.loader import Pack
from hocvuso.storage.models import Certificate
from tests.e2e.harness import BotProcess, study_until_exam
from tests.e2e.harness import Learner as Person
from tests.fakes.telegram_api import FakeTelegram

pytestmark = pytest.mark.e2e

PUBLIC_URL = "https://hocvuso.example.gov.vn"
NAME = "Nguyễn Thị Hồng Nhung"


@pytest.fixture
async def bot(
    fake: FakeTelegram, database_url: str, engine_db: AsyncEngine, tmp_path: Path
) -> AsyncIterator[BotProcess]:
    process = BotProcess(
        fake,
        database_url,
        tmp_path,
        HOCVUSO_PUBLIC_URL=PUBLIC_URL,
        HOCVUSO_ISSUER_NAME="Ban Chỉ đạo Bình dân học vụ số",
    )
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


async def test_passing_level_one_sends_the_certificate_pdf(
    bot: BotProcess, fake: FakeTelegram, core_pack: Pack, engine_db: AsyncEngine
) -> None:
    person = Person(fake, fake.user(5101, NAME), core_pack)
    await pass_level_one(person, core_pack)
    async with engine_db.connect() as connection:
        code, credential = (
            await connection.execute(select(Certificate.id, Certificate.credential))
        ).one()

    # One sendDocument, a multipart upload the strict fake accepted, named after the code.
    (call,) = [c for c in fake.calls_to("sendDocument") if c.ok]
    # The fake records an uploaded part as "<file 'name', N bytes>" (not a file id or URL).
    assert str(call.params["document"]).startswith(f"<file 'hocvuso-chung-nhan-{code}.pdf', ")
    (message,) = [m for m in person.user.visible_messages if m.document]
    assert message.document is not None and message.document.mime_type == "application/pdf"
    assert f"Giấy chứng nhận cấp 1 (PDF), mã {code}" in (message.caption or "")
    pdf = message.document.data or b""
    assert pdf.startswith(b"%PDF-")

    reader = pypdf.PdfReader(io.BytesIO(pdf))
    text = reader.pages[0].extract_text()
    assert NAME in text
    assert f"Cấp độ 1: {core_pack.level_title(1, 'vi')}" in text
    assert f"Level 1: {core_pack.level_title(1, 'en')}" in text
    assert code in text and "Ban Chỉ đạo Bình dân học vụ số" in text

    image = pypdfium2.PdfDocument(pdf)[0].render(scale=2).to_pil()
    assert [found.text for found in zxingcpp.read_barcodes(image)] == [
        f"{PUBLIC_URL}/verify/{code}"
    ]

    (payload,) = reader.attachments["credential.json"]
    attached = json.loads(payload)
    assert attached == credential
    assert attached["credentialSubject"]["achievement"]["id"].endswith("/level-1")

    # /certificate sends it again; nothing the bot sent was refused.
    await person.send("/certificate")
    assert len([c for c in fake.calls_to("sendDocument") if c.ok]) == 2
    assert not person.saw_error()
    fake.assert_no_invalid_requests()
