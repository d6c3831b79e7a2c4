"""The certificate PDF in the chat: after the exam pass and on /certificate, rebuilt on replay,
never sent once revoked."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime

import pypdf
import pytest
from sqlmodel import select

from hocvuso.chat.events import Command, Press
from hocvuso.chat.replies import Document, Outcome, ready
from hocvuso.credentials import pdf
from hocvuso.storage.models import Certificate
from tests.chat.flows.test_study import finish_level
from tests.factories import Conversation, plain


async def pass_level_one(chat: Conversation) -> None:
    await chat.onboard()
    await finish_level(chat)
    await chat.press("Bắt đầu thi")
    for _ in range(5):
        await chat.answer(correct=True)
    assert "Chúc mừng" in chat.text


async def pass_level_one_unsent(chat: Conversation, update_id: int) -> Outcome:
    """The exam's last answer applied, its replies not sent yet (as the engine returns them)."""
    await chat.onboard()
    await finish_level(chat)
    await chat.press("Bắt đầu thi")
    for _ in range(4):
        await chat.answer(correct=True)
    letter = chat.letter_for(True)
    (last,) = [b for b in chat.buttons() if b.label == letter]
    return await chat.engine.handle(chat.person, Press(last.data), (1, update_id))


async def the_certificate(chat: Conversation) -> Certificate:
    async with chat.engine.sessions() as session:
        return (await session.exec(select(Certificate))).one()


def documents(chat: Conversation) -> list[Document]:
    return [r.document for r in chat.last.replies if r.document is not None]


def text_of(document: Document) -> str:
    return pypdf.PdfReader(io.BytesIO(document.content)).pages[0].extract_text()


async def test_passing_the_exam_sends_the_certificate_pdf(chat: Conversation) -> None:
    await pass_level_one(chat)
    certificate = await the_certificate(chat)
    (document,) = documents(chat)
    assert document.filename == f"hocvuso-chung-nhan-{certificate.id}.pdf"
    assert document.kind == f"certificate:{certificate.id}"
    assert document.content.startswith(b"%PDF-")
    text = text_of(document)
    assert "Nguyễn Thị Lan" in text
    assert f"Cấp độ 1: {chat.pack.level_title(1, 'vi')}" in text
    assert certificate.id in text
    # Its caption says what it is, in the learner's language.
    caption = next(r.text for r in chat.last.replies if r.document is not None)
    assert "Giấy chứng nhận cấp 1 (PDF)" in caption and certificate.id in caption
    # The signed credential rides along, exactly as stored.
    (payload,) = pypdf.PdfReader(io.BytesIO(document.content)).attachments["credential.json"]
    assert certificate.credential is not None
    assert json.loads(payload) == certificate.credential


async def test_certificate_command_sends_each_pdf(chat: Conversation) -> None:
    await pass_level_one(chat)
    certificate = await the_certificate(chat)
    await chat.send("/certificate")
    assert [d.filename for d in documents(chat)] == [f"hocvuso-chung-nhan-{certificate.id}.pdf"]
    assert "Nguyễn Thị Lan" in text_of(documents(chat)[0])


async def test_a_replayed_reply_rebuilds_the_pdf_from_the_code(chat: Conversation) -> None:
    await pass_level_one(chat)
    first = await chat.event(Command("certificate", ""), update_id=930001)
    (sent,) = [r.document for r in first.replies if r.document is not None]
    # The send was never confirmed: the redelivered update replays its replies, PDF included,
    # although only the kind was stored.
    again = await chat.event(Command("certificate", ""), update_id=930001)
    assert again.duplicate
    (rebuilt,) = [r.document for r in again.replies if r.document is not None]
    assert (rebuilt.filename, rebuilt.kind) == (sent.filename, sent.kind)
    assert text_of(rebuilt) == text_of(sent)


async def revoke(chat: Conversation) -> Certificate:
    async with chat.engine.sessions() as session, session.begin():
        certificate = (await session.exec(select(Certificate))).one()
        certificate.revoked_at = datetime(2026, 12, 1, tzinfo=UTC)
        session.add(certificate)
    return certificate


async def test_a_revoked_certificate_is_not_sent(chat: Conversation) -> None:
    await pass_level_one(chat)
    certificate = await revoke(chat)
    await chat.send("/certificate")
    assert documents(chat) == []
    assert f"Chứng nhận {certificate.id} đã bị thu hồi" in chat.text


async def test_a_pdf_revoked_before_its_replay_is_not_sent_again(chat: Conversation) -> None:
    await pass_level_one(chat)
    first = await chat.event(Command("certificate", ""), update_id=930002)
    assert any(r.document for r in first.replies)
    certificate = await revoke(chat)
    again = await chat.event(Command("certificate", ""), update_id=930002)
    assert again.duplicate
    assert all(r.document is None for r in again.replies)
    assert any(f"{certificate.id}</code> đã bị thu hồi" in r.text for r in again.replies)


async def test_the_pdf_follows_the_learners_language(chat: Conversation) -> None:
    await pass_level_one(chat)
    await chat.send("/settings")
    await chat.press("English")
    await chat.send("/certificate")
    caption = next(r.text for r in chat.last.replies if r.document is not None)
    assert "Level 1 certificate (PDF)" in caption
    # The page itself is bilingual whatever the chat's language: Vietnamese first.
    assert "Level 1:" in text_of(documents(chat)[0])


async def test_a_pdf_that_cannot_be_made_loses_nothing(
    chat: Conversation, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_: object) -> bytes:
        raise OSError("font file unreadable")

    monkeypatch.setattr(pdf, "render", broken)
    await pass_level_one(chat)
    # The pass and the certificate stand; the learner is told how to get the file later.
    certificate = await the_certificate(chat)
    assert certificate.credential is not None
    assert documents(chat) == []
    assert "Chưa tạo được tệp PDF" in chat.text and "/certificate" in chat.text
    monkeypatch.undo()
    await chat.send("/certificate")
    assert [d.filename for d in documents(chat)] == [f"hocvuso-chung-nhan-{certificate.id}.pdf"]


async def test_the_pdf_is_made_after_the_transaction_and_the_replies_before_it(
    chat: Conversation, monkeypatch: pytest.MonkeyPatch
) -> None:
    events: list[str] = []
    real = pdf.render

    def render(*args: object) -> bytes:
        events.append("render")
        return real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(pdf, "render", render)
    outcome = await pass_level_one_unsent(chat, update_id=940001)
    events.append("committed")
    # The transaction recorded the PDF to be sent; it made nothing.
    (pending,) = [r for r in outcome.replies if r.later is not None]
    assert pending.document is None
    certificate = await the_certificate(chat)
    assert pending.later is not None and pending.later.kind == f"certificate:{certificate.id}"
    sent = []
    for reply in outcome.replies:  # as a transport sends them, in order
        made = await ready(reply)
        assert made is not None
        sent.append(made)
        events.append("sent PDF" if made.document else f"sent {plain(made.text)}")
    # "Chúc mừng…" went out before the PDF was made, and the PDF was made once, outside.
    assert events[0] == "committed"
    assert events.count("render") == 1
    assert events.index("render") == events.index("sent PDF") - 1
    congratulated = next(i for i, e in enumerate(events) if "Chúc mừng" in e)
    assert congratulated < events.index("render")
    (document,) = [r.document for r in sent if r.document is not None]
    assert document.kind == f"certificate:{certificate.id}"
    assert "Nguyễn Thị Lan" in text_of(document)


async def test_a_certificate_revoked_before_its_pdf_is_sent_is_not_sent(
    chat: Conversation,
) -> None:
    outcome = await pass_level_one_unsent(chat, update_id=940002)
    certificate = await revoke(chat)
    made = [await ready(reply) for reply in outcome.replies]
    assert all(r is not None and r.document is None for r in made)
    assert any(r is not None and f"{certificate.id}</code> đã bị thu hồi" in r.text for r in made)


async def test_a_pdf_whose_store_is_unreachable_at_send_time_says_how_to_get_it(
    chat: Conversation,
) -> None:
    outcome = await pass_level_one_unsent(chat, update_id=940003)

    def unreachable() -> None:
        raise ConnectionRefusedError("the database is down")

    chat.engine.sessions = unreachable  # type: ignore[assignment]
    made = [await ready(reply) for reply in outcome.replies]
    assert all(r is not None and r.document is None for r in made)
    assert any(r is not None and "Chưa tạo được tệp PDF" in plain(r.text) for r in made)
