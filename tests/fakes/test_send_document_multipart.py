"""The fake Bot API takes a multipart sendDocument as strictly as Telegram: what the certificate
PDF's end-to-end test relies on (tests/e2e/test_certificate_pdf.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest

from tests.fakes.telegram_api import FakeTelegram

CHAT = 4242
PDF = b"%PDF-1.7 certificate"


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as server:
        server.user(CHAT)
        yield server


async def send(fake: FakeTelegram, *fields: tuple[str, bytes | str, str | None]) -> tuple[int, str]:
    data = aiohttp.FormData()
    for name, value, filename in fields:
        if filename is None:
            data.add_field(name, value)
        else:
            data.add_field(name, value, filename=filename, content_type="application/pdf")
    url = f"{fake.base_url}/bot{fake.token}/sendDocument"
    async with aiohttp.ClientSession() as session, session.post(url, data=data) as resp:
        body = await resp.json()
        return resp.status, str(body.get("description", ""))


async def test_a_pdf_part_with_caption_and_parse_mode_is_accepted(fake: FakeTelegram) -> None:
    status, _ = await send(
        fake,
        ("chat_id", str(CHAT), None),
        ("caption", "📄 <b>Giấy chứng nhận</b>", None),
        ("parse_mode", "HTML", None),
        ("document", PDF, "hocvuso-chung-nhan-HV1.pdf"),
    )
    assert status == 200
    (message,) = [m for m in fake.user(CHAT).messages if m.document]
    assert message.document is not None and message.document.data == PDF
    assert message.document.file_name == "hocvuso-chung-nhan-HV1.pdf"
    assert message.caption == "📄 Giấy chứng nhận"


@pytest.mark.parametrize(
    ("fields", "refusal"),
    [
        ([("chat_id", str(CHAT), None)], "document"),  # no file at all
        ([("chat_id", str(CHAT), None), ("photo", PDF, "c.pdf")], "document"),  # wrong part
        ([("chat_id", str(CHAT), None), ("document", b"", "c.pdf")], "empty"),
        ([("chat_id", str(CHAT), None), ("document", "attach://file0", None)], "attached"),
        (
            [("chat_id", str(CHAT), None), ("filename", "c.pdf", None), ("document", PDF, "c")],
            "filename",  # an undocumented parameter (strict mode)
        ),
        ([("chat_id", str(CHAT), None), ("caption", "x" * 1025, None), ("document", PDF, "c")],
         "caption is too long"),
    ],
)  # fmt: skip
async def test_a_bad_multipart_upload_is_refused(
    fake: FakeTelegram, fields: list[tuple[str, bytes | str, str | None]], refusal: str
) -> None:
    status, description = await send(fake, *fields)
    assert status == 400
    assert refusal in description
    assert not [m for m in fake.user(CHAT).messages if m.document]
