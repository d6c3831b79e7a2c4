"""Signed certificates: issue, check (valid, tampered, revoked, unknown), status lists, rotation,
backfill. On SQLite and PostgreSQL."""

from __future__ import annotations

import copy
import hashlib
import json
import random
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from hocvuso.config import Settings
from hocvuso.content.loader import Pack
from hocvuso.credentials import proof, status
from hocvuso.credentials.issuer import issuer_from
from hocvuso.credentials.keys import KeyRing, new_key
from hocvuso.learning import certification, exams
from hocvuso.organising import certificates, privacy
from hocvuso.organising.permissions import CLI
from hocvuso.storage.models import Certificate, Learner
from tests.chat.flows.test_study import finish_level
from tests.factories import Conversation, add_learner

NOW = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)
NAME = "Nguyễn Thị Thu Hương"


@pytest.fixture
def ring() -> KeyRing:
    return KeyRing((new_key(NOW - timedelta(days=30)),))


@pytest.fixture
def settings_signed(settings: Settings) -> Settings:
    return settings.model_copy(
        update={"public_url": "https://hocvuso.example.gov.vn", "issuer_name": "Sở KH&CN Hà Nội"}
    )


async def _pass(
    sessions: async_sessionmaker[AsyncSession],
    pack: Pack,
    settings: Settings,
    ring: KeyRing,
    *,
    name: str = NAME,
    at: datetime = NOW,
) -> tuple[Learner, str]:
    learner = await add_learner(sessions, unit=None, name=name, created_at=at - timedelta(days=9))
    assert learner.id is not None
    async with sessions() as session, session.begin():
        exam = await exams.start(session, pack, learner.id, 1, random.Random(3), at)
        for _ in exam.question_ids:
            exams.record(exam, True)
        result = await exams.finish(session, pack, exam, at, settings=settings, ring=ring)
        assert result.certificate is not None and result.issued
        return learner, result.certificate.id


async def _check(
    sessions: async_sessionmaker[AsyncSession], settings: Settings, ring: KeyRing, code: str
) -> certification.Check:
    async with sessions() as session:
        return await certification.check(session, settings, ring, code)


async def _stored(sessions: async_sessionmaker[AsyncSession], code: str) -> Certificate:
    async with sessions() as session:
        found = await session.get(Certificate, code)
        assert found is not None
        return found


async def test_a_passed_exam_carries_a_signed_open_badge_that_checks_valid(
    sessions: async_sessionmaker[AsyncSession], pack: Pack, settings_signed: Settings, ring: KeyRing
) -> None:
    learner, code = await _pass(sessions, pack, settings_signed, ring)
    checked = await _check(sessions, settings_signed, ring, code)
    assert checked == certification.Check(
        "valid", NAME, 1, "Cơ bản", NOW.date(), "Sở KH&CN Hà Nội", ""
    )
    # Codes are read as people type them.
    assert (await _check(sessions, settings_signed, ring, f"  {code.lower()} ")).state == "valid"

    stored = await _stored(sessions, code)
    credential = stored.credential
    assert credential is not None
    issuer = issuer_from(settings_signed)
    assert credential["id"] == issuer.credential_url(code)
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert credential["validFrom"] == "2026-12-01T03:00:00Z"
    assert credential["proof"]["verificationMethod"] == issuer.verification_method(
        ring.current.name
    )
    # No chat id anywhere; the holder is a salted hash that checks out.
    assert str(learner.chat_id) not in json.dumps(credential)
    hashed = credential["credentialSubject"]["identifier"][-1]
    identity = certification.holder_identity(issuer, learner) + hashed["salt"]
    digest = hashlib.sha256(identity.encode()).hexdigest()
    assert (hashed["hashed"], hashed["identityHash"]) == (True, f"sha256${digest}")
    # The areas the exam covered, aligned to both frameworks.
    alignment = credential["credentialSubject"]["achievement"]["alignment"]
    frameworks = {a["targetFramework"].split(":")[0] for a in alignment}
    assert frameworks == {"Quyết định 757/QĐ-BKHCN", "Thông tư 02/2025/TT-BGDĐT"}
    assert {a["targetCode"] for a in alignment} == {"safety", "info"}
    entry = credential["credentialStatus"]
    assert stored.status_index is not None
    assert entry["statusListIndex"] == str(stored.status_index % status.LIST_SIZE)
    assert entry["statusListCredential"] == issuer.status_list_url(
        stored.status_index // status.LIST_SIZE
    )


async def test_a_stored_credential_with_one_field_changed_is_tampered_and_names_nobody(
    sessions: async_sessionmaker[AsyncSession], pack: Pack, settings_signed: Settings, ring: KeyRing
) -> None:
    _, code = await _pass(sessions, pack, settings_signed, ring)
    credential = (await _stored(sessions, code)).credential
    assert credential is not None
    changed = copy.deepcopy(credential)
    changed["credentialSubject"]["identifier"][0]["identityHash"] = "Nguyễn Thị Thu Hường"
    async with sessions() as session, session.begin():
        await session.exec(
            update(Certificate).where(col(Certificate.id) == code).values(credential=changed)
        )
    checked = await _check(sessions, settings_signed, ring, code)
    assert (checked.state, checked.name, checked.level) == ("tampered", None, None)
    assert "signature" in checked.reason

    keys = issuer_from(settings_signed).public_key_for(ring)
    later = {**credential, "validFrom": "2026-12-02T03:00:00Z"}
    assert certification.check_document(later, keys).state == "tampered"
    assert certification.check_document(credential, keys).state == "valid"


async def test_revoked_certificates_say_only_revoked_and_their_bit_is_set(
    sessions: async_sessionmaker[AsyncSession], pack: Pack, settings_signed: Settings, ring: KeyRing
) -> None:
    _, kept = await _pass(sessions, pack, settings_signed, ring)
    _, code = await _pass(sessions, pack, settings_signed, ring, name="Trần Văn Đức")
    async with sessions() as session, session.begin():
        await certificates.do_revoke_certificate(session, CLI, code, "cấp nhầm", NOW)
    checked = await _check(sessions, settings_signed, ring, code)
    assert checked == certification.Check("revoked", reason="the certificate was revoked")
    assert (await _check(sessions, settings_signed, ring, kept)).state == "valid"

    issuer = issuer_from(settings_signed)
    revoked_index = (await _stored(sessions, code)).status_index
    kept_index = (await _stored(sessions, kept)).status_index
    assert revoked_index is not None and kept_index is not None
    number, bit = divmod(revoked_index, status.LIST_SIZE)
    async with sessions() as session:
        listed = await certification.status_list_credential(session, settings_signed, ring, number)
    assert listed["id"] == issuer.status_list_url(number)
    assert proof.verify(listed, issuer.public_key_for(ring)).ok
    encoded = listed["credentialSubject"]["encodedList"]
    assert status.is_set(encoded, bit)
    if kept_index // status.LIST_SIZE == number:
        assert not status.is_set(encoded, kept_index % status.LIST_SIZE)


async def test_forget_revokes_and_the_code_shows_nothing_but_revoked(
    sessions: async_sessionmaker[AsyncSession], pack: Pack, settings_signed: Settings, ring: KeyRing
) -> None:
    learner, code = await _pass(sessions, pack, settings_signed, ring)
    async with sessions() as session, session.begin():
        person = await session.get(Learner, learner.id)
        assert person is not None
        await privacy.do_erase(session, person, NOW + timedelta(days=1))
    checked = await _check(sessions, settings_signed, ring, code)
    assert checked.state == "revoked"
    assert (checked.name, checked.level, checked.issued_on, checked.issuer_name) == (None,) * 4
    stored = await _stored(sessions, code)
    assert stored.credential is None and NAME not in json.dumps(stored.model_dump(mode="json"))
    assert stored.status_index is not None
    async with sessions() as session:
        listed = await certification.status_list_credential(
            session, settings_signed, ring, stored.status_index // status.LIST_SIZE
        )
    bit = stored.status_index % status.LIST_SIZE
    assert status.is_set(listed["credentialSubject"]["encodedList"], bit)


async def test_after_a_key_rotation_old_certificates_stay_valid_and_new_ones_use_the_new_key(
    sessions: async_sessionmaker[AsyncSession], pack: Pack, settings_signed: Settings, ring: KeyRing
) -> None:
    _, old = await _pass(sessions, pack, settings_signed, ring)
    rotated = KeyRing((*ring.keys, new_key(NOW, {k.name for k in ring.keys})))
    _, new = await _pass(sessions, pack, settings_signed, rotated, name="Lê Minh")
    assert (await _check(sessions, settings_signed, rotated, old)).state == "valid"
    assert (await _check(sessions, settings_signed, rotated, new)).state == "valid"
    credential = (await _stored(sessions, new)).credential
    assert credential is not None
    assert credential["proof"]["verificationMethod"].endswith(f"#{rotated.current.name}")
    # A verifier without the new key cannot vouch for what it signed.
    assert (await _check(sessions, settings_signed, ring, new)).state == "unknown"


async def test_backfill_signs_certificates_from_before_and_only_once(
    sessions: async_sessionmaker[AsyncSession], pack: Pack, settings_signed: Settings, ring: KeyRing
) -> None:
    learner = await add_learner(
        sessions, unit=None, name=NAME, created_at=NOW, certified=[(1, NOW - timedelta(days=40))]
    )
    async with sessions() as session:
        (unsigned,) = await exams.certificates(session, learner.id or 0)
    code = unsigned.id
    assert (await _check(sessions, settings_signed, ring, code)).state == "unknown"
    async with sessions() as session, session.begin():
        assert await certification.backfill(session, settings_signed, ring, pack) == 1
    async with sessions() as session, session.begin():
        assert await certification.backfill(session, settings_signed, ring, pack) == 0
    checked = await _check(sessions, settings_signed, ring, code)
    assert (checked.state, checked.name, checked.issued_on) == (
        "valid",
        NAME,
        (NOW - timedelta(days=40)).date(),
    )


async def test_an_unknown_code_is_unknown(
    sessions: async_sessionmaker[AsyncSession], settings_signed: Settings, ring: KeyRing
) -> None:
    checked = await _check(sessions, settings_signed, ring, "HVS1-NOPE-NOPE")
    assert (checked.state, checked.name) == ("unknown", None)


def test_check_document_reports_what_it_could_not_check(settings: Settings, ring: KeyRing) -> None:
    issuer = issuer_from(settings)
    certificate = Certificate(
        id="HVS1-ABCD-EFGH", learner_id=1, level=1, exam_id=1, score=5, total=5,
        issued_at=NOW, status_index=7,
    )  # fmt: skip
    unsigned = certification.build_credential(
        issuer, certificate, NAME, "Cơ bản", [], certification.hash_holder("x")
    )
    signed = certification.sign(unsigned, issuer, ring, NOW)
    keys = issuer.public_key_for(ring)
    assert certification.check_document(unsigned, keys).state == "unknown"
    unknown = certification.check_document(signed, keys, revoked=lambda _: None)
    assert (unknown.state, unknown.reason) == (
        "valid",
        "the revocation status could not be checked",
    )
    assert certification.check_document(signed, keys, revoked=lambda _: True).name is None
    assert certification.status_index_of(signed, issuer) == 7


async def test_the_chat_shows_the_check_address_on_passing_and_in_certificate(
    chat: Conversation, settings: Settings
) -> None:
    await chat.onboard()
    await finish_level(chat)
    await chat.press("Bắt đầu thi")
    for _ in range(5):
        await chat.answer(correct=True)
    async with chat.engine.sessions() as session:
        (certificate,) = (await session.exec(select(Certificate))).all()
    url = issuer_from(settings).verify_url(certificate.id)
    assert f"Kiểm tra chứng nhận: {url}" in chat.text
    checked = await _check(chat.engine.sessions, settings, chat.engine.keyring(), certificate.id)
    assert (checked.state, checked.name) == ("valid", "Nguyễn Thị Lan")

    await chat.send("/certificate")
    assert url in chat.text
    async with chat.engine.sessions() as session, session.begin():
        await certificates.do_revoke_certificate(session, CLI, certificate.id, "cấp nhầm", NOW)
    await chat.send("/certificate")
    assert "đã bị thu hồi" in chat.text and url not in chat.text
