"""Signed certificates: the one API the check page, the PDF and the CLI use.

A certificate (:class:`hocvuso.storage.models.Certificate`, its id is the printed code) is also an
Open Badges 3.0 ``OpenBadgeCredential`` signed with an ``eddsa-rdfc-2022`` Data Integrity proof
(:mod:`hocvuso.credentials.proof`), stored in the row as issued, in the same transaction as the
certificate. It names the level, the competence areas the exam covered, the day, the issuer, the
learner's display name and a salted hash of the learner (never a chat id); a bit in a Bitstring
Status List (``credentialStatus``) tells verifiers whether it was revoked. See docs/certificates.md.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Literal, cast

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from hocvuso.config import Settings
from hocvuso.content.loader import Pack
from hocvuso.credentials import documents, proof, status
from hocvuso.credentials.issuer import Issuer, issuer_from
from hocvuso.credentials.keys import KeyRing
from hocvuso.storage.models import Certificate, ExamAttempt, Learner

State = Literal["valid", "revoked", "unknown", "tampered"]

#: The frameworks the competence areas are aligned to.
FRAMEWORKS = (
    ("757-QD-BKHCN", "Quyết định 757/QĐ-BKHCN: Khung năng lực số cho người dân"),
    ("02-2025-TT-BGDDT", "Thông tư 02/2025/TT-BGDĐT: Khung năng lực số cho người học"),
)
_LEVEL_IN_ID = re.compile(r"/achievements/level-(\d+)$")


@dataclass(frozen=True)
class Competence:
    """A competence area the certified exam covered (``pack.yaml``'s ``areas``)."""

    id: str
    name_vi: str
    name_en: str


@dataclass(frozen=True)
class HolderHash:
    """A salted SHA-256 of the learner's identity (Open Badges ``IdentityObject``)."""

    identity_hash: str  # "sha256$<hex>"
    salt: str


def hash_holder(identity: str, salt: str | None = None) -> HolderHash:
    """``sha256$`` + hex SHA-256 of identity + salt (the Open Badges 3.0 rule)."""
    salt = salt if salt is not None else secrets.token_hex(16)
    digest = hashlib.sha256((identity + salt).encode("utf-8")).hexdigest()
    return HolderHash(f"sha256${digest}", salt)


def holder_identity(issuer: Issuer, learner: Learner) -> str:
    """What is hashed: the learner's number at this deployment, never a chat id."""
    return f"{issuer.id}/learners/{learner.id}"


@dataclass(frozen=True)
class Check:
    """What a check of a certificate says. On anything but "valid", nothing about the person is
    given (a revoked certificate shows only that it is revoked)."""

    state: State
    name: str | None = None
    level: int | None = None
    level_title: str | None = None
    issued_on: date | None = None
    issuer_name: str | None = None
    #: Why it is not valid (English, for the CLI and logs); "" when valid.
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.state == "valid"


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def status_entry(issuer: Issuer, index: int) -> dict[str, Any]:
    number, bit = divmod(index, status.LIST_SIZE)
    url = issuer.status_list_url(number)
    return {
        "id": f"{url}#{bit}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": str(bit),
        "statusListCredential": url,
    }


def _alignments(issuer: Issuer, areas: Sequence[Competence]) -> list[dict[str, Any]]:
    return [
        {
            "type": ["Alignment"],
            "targetName": area.name_vi,
            "targetDescription": area.name_en,
            "targetFramework": framework,
            "targetCode": area.id,
            "targetType": "ceasn:Competency",
            "targetUrl": f"{issuer.public_url}/frameworks/{slug}#{area.id}",
        }
        for slug, framework in FRAMEWORKS
        for area in areas
    ]


def build_credential(
    issuer: Issuer,
    certificate: Certificate,
    learner_name: str | None,
    level_title_vi: str,
    areas: Sequence[Competence],
    holder_hash: HolderHash,
    *,
    level_title_en: str | None = None,
) -> dict[str, Any]:
    """The unsigned ``OpenBadgeCredential`` of a certificate (sign it with :func:`sign`)."""
    if certificate.status_index is None:
        raise ValueError("the certificate has no status index yet")
    level = certificate.level
    english = level_title_en or level_title_vi
    identifiers: list[dict[str, Any]] = []
    if learner_name:
        identifiers.append(
            {
                "type": "IdentityObject",
                "identityType": "name",
                "hashed": False,
                "identityHash": learner_name,
            }
        )
    identifiers.append(
        {
            "type": "IdentityObject",
            "identityType": "identifier",
            "hashed": True,
            "identityHash": holder_hash.identity_hash,
            "salt": holder_hash.salt,
        }
    )
    return {
        "@context": [documents.CREDENTIALS_V2, documents.OB_V3P0_303],
        "id": issuer.credential_url(certificate.id),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": f"Chứng nhận kỹ năng số: {level_title_vi}",
        "description": f"Digital skills certificate: {english}",
        "issuer": {
            "id": issuer.id,
            "type": ["Profile"],
            "name": issuer.name,
            "url": issuer.public_url,
        },
        "validFrom": _iso(certificate.issued_at),
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": identifiers,
            "achievement": {
                "id": f"{issuer.public_url}/achievements/level-{level}",
                "type": ["Achievement"],
                "achievementType": "Certificate",
                "name": level_title_vi,
                "description": f"Cấp {level}: {level_title_vi} / Level {level}: {english}",
                "inLanguage": "vi",
                "criteria": {
                    "narrative": (
                        f"Đạt bài kiểm tra cấp {level} về kỹ năng số. "
                        f"Passed the level {level} digital skills exam."
                    )
                },
                "alignment": _alignments(issuer, areas),
            },
        },
        "credentialStatus": status_entry(issuer, certificate.status_index),
    }


def sign(
    document: Mapping[str, Any], issuer: Issuer, ring: KeyRing, at: datetime
) -> dict[str, Any]:
    """The document signed by the ring's current key."""
    key = ring.current
    method = issuer.verification_method(key.name)
    return proof.sign(document, cast(proof.Signer, key), method, created=_iso(at))


def competences(pack: Pack, level: int, question_ids: Sequence[str] = ()) -> list[Competence]:
    """The areas the exam covered (its questions'; else every area of the level's questions)."""
    ids = [q for q in question_ids if q in pack.questions]
    if not ids:
        ids = pack.exam_questions(level) or pack.lesson_questions(level)
    found = {pack.questions[q].area for q in ids}
    ordered = sorted(found, key=lambda a: (pack.area_order.get(a, 99), a))
    return [Competence(a, pack.area_title(a, "vi"), pack.area_title(a, "en")) for a in ordered]


async def allocate_status_index(session: AsyncSession) -> int:
    """A free bit, drawn at random (a verifier fetching a list learns nothing from the index);
    a new list opens when the ones in use are half full."""
    used = (await session.exec(select(func.count(col(Certificate.status_index))))).one()
    lists = 1 + int(used) // (status.LIST_SIZE // 2)
    while True:
        index = secrets.randbelow(lists * status.LIST_SIZE)
        taken = await session.exec(select(Certificate.id).where(Certificate.status_index == index))
        if taken.first() is None:
            return index


async def issue(
    session: AsyncSession,
    settings: Settings,
    ring: KeyRing,
    certificate: Certificate,
    learner: Learner,
    pack: Pack,
) -> dict[str, Any]:
    """Build, sign and store the certificate's credential (once: a signed one is returned)."""
    if certificate.credential is not None:
        return certificate.credential
    issuer = issuer_from(settings)
    if certificate.status_index is None:
        certificate.status_index = await allocate_status_index(session)
    exam = await session.get(ExamAttempt, certificate.exam_id)
    areas = competences(pack, certificate.level, exam.question_ids if exam else ())
    unsigned = build_credential(
        issuer,
        certificate,
        learner.display_name,
        pack.level_title(certificate.level, "vi"),
        areas,
        hash_holder(holder_identity(issuer, learner)),
        level_title_en=pack.level_title(certificate.level, "en"),
    )
    signed = sign(unsigned, issuer, ring, certificate.issued_at)
    certificate.credential = signed
    session.add(certificate)
    await session.flush()
    return signed


def normalise_code(code: str) -> str:
    return code.strip().upper()


async def find(session: AsyncSession, code: str) -> Certificate | None:
    return await session.get(Certificate, normalise_code(code))


async def check(session: AsyncSession, settings: Settings, ring: KeyRing, code: str) -> Check:
    """What the public page says about a code."""
    certificate = await find(session, code)
    if certificate is None:
        return Check("unknown", reason="no certificate has this code")
    if certificate.revoked_at is not None:
        return Check("revoked", reason="the certificate was revoked")
    if certificate.credential is None:
        return Check(
            "unknown", reason="the certificate is not signed yet (hocvuso certificate backfill)"
        )
    issuer = issuer_from(settings)
    if certificate.credential.get("id") != issuer.credential_url(certificate.id):
        return Check("tampered", reason="the stored credential is not this certificate's")
    result = check_document(certificate.credential, issuer.public_key_for(ring), revoked=None)
    if result.ok and result.level != certificate.level:
        return Check("tampered", reason="the stored credential names another level")
    return result


def _name_of(subject: Mapping[str, Any]) -> str | None:
    identifiers = subject.get("identifier") or []
    for item in identifiers if isinstance(identifiers, list) else [identifiers]:
        if (
            isinstance(item, dict)
            and item.get("identityType") == "name"
            and not item.get("hashed")
            and isinstance(item.get("identityHash"), str)
        ):
            return str(item["identityHash"])
    return None


def _issuer_name(document: Mapping[str, Any]) -> str | None:
    found = document.get("issuer")
    if isinstance(found, dict):
        name = found.get("name")
        return str(name) if isinstance(name, str) else None
    return None


def _summary(document: Mapping[str, Any]) -> Check:
    """The valid credential's name, level, day and issuer (ValueError when they are missing)."""
    subject = document.get("credentialSubject")
    if not isinstance(subject, dict) or not isinstance(subject.get("achievement"), dict):
        raise ValueError("the credential has no achievement")
    achievement = subject["achievement"]
    match = _LEVEL_IN_ID.search(str(achievement.get("id", "")))
    valid_from = datetime.fromisoformat(str(document.get("validFrom", "")).replace("Z", "+00:00"))
    title = achievement.get("name")
    return Check(
        "valid",
        name=_name_of(subject),
        level=int(match.group(1)) if match else None,
        level_title=str(title) if isinstance(title, str) else None,
        issued_on=valid_from.astimezone(UTC).date(),
        issuer_name=_issuer_name(document),
    )


_PROOF_REASONS: dict[str, tuple[State, str]] = {
    "no-proof": ("unknown", "the credential has no proof: it is not signed"),
    "unsupported-proof": ("unknown", "the proof is not an eddsa-rdfc-2022 DataIntegrityProof"),
    "unknown-key": ("unknown", "it is signed with a key this verifier does not trust"),
    "bad-signature": ("tampered", "the signature does not match: the credential was changed"),
    "malformed": ("tampered", "the credential or its proof is malformed"),
}


def check_document(
    document: dict[str, Any],
    public_key_for: Callable[[str], bytes | None],
    *,
    revoked: Callable[[dict[str, Any]], bool | None] | None = None,
) -> Check:
    """Check a credential offline: its proof (with the keys ``public_key_for`` trusts), its
    content, and, when ``revoked`` is given, its status (True: revoked, None: cannot tell)."""
    if not isinstance(document, dict):
        return Check("tampered", reason="a credential is a JSON object")
    verification = proof.verify(document, public_key_for)
    if not verification.ok:
        state, reason = _PROOF_REASONS.get(verification.reason, ("tampered", verification.reason))
        if verification.verification_method and verification.reason == "unknown-key":
            reason = f"{reason} ({verification.verification_method})"
        return Check(state, reason=reason)
    if "OpenBadgeCredential" not in (document.get("type") or []):
        return Check("tampered", reason="it is signed but it is not an OpenBadgeCredential")
    try:
        summary = _summary(document)
    except (ValueError, TypeError) as error:
        return Check("tampered", reason=f"it is signed but malformed: {error}")
    if revoked is not None:
        answer = revoked(document)
        if answer:
            return Check("revoked", reason="the issuer revoked the certificate")
        if answer is None:
            return Check(
                summary.state,
                summary.name,
                summary.level,
                summary.level_title,
                summary.issued_on,
                summary.issuer_name,
                reason="the revocation status could not be checked",
            )
    return summary


def status_index_of(document: Mapping[str, Any], issuer: Issuer) -> int | None:
    """The global status index of one of this issuer's credentials, or None."""
    entry = document.get("credentialStatus")
    if not isinstance(entry, dict):
        return None
    url = str(entry.get("statusListCredential", ""))
    prefix = issuer.status_list_url(0).removesuffix("0")
    number, bit = url.removeprefix(prefix), str(entry.get("statusListIndex", ""))
    if not url.startswith(prefix) or not number.isdigit() or not bit.isdigit():
        return None
    return int(number) * status.LIST_SIZE + int(bit)


async def revoked_indexes(session: AsyncSession, number: int) -> list[int]:
    """The bits set in status list ``number``."""
    low = number * status.LIST_SIZE
    found = await session.exec(
        select(Certificate.status_index).where(
            col(Certificate.revoked_at).is_not(None),
            col(Certificate.status_index) >= low,
            col(Certificate.status_index) < low + status.LIST_SIZE,
        )
    )
    return sorted(index - low for index in found.all() if index is not None)


async def status_list_credential(
    session: AsyncSession, settings: Settings, ring: KeyRing, number: int
) -> dict[str, Any]:
    """The signed ``BitstringStatusListCredential`` of list ``number`` (revoked bits set)."""
    if number < 0:
        raise ValueError("a status list number is 0 or more")
    issuer = issuer_from(settings)
    url = issuer.status_list_url(number)
    now = datetime.now(UTC)
    document = {
        "@context": [documents.CREDENTIALS_V2],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer.id,
        "validFrom": _iso(now),
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": status.encode(await revoked_indexes(session, number)),
        },
    }
    return sign(document, issuer, ring, now)


async def backfill(session: AsyncSession, settings: Settings, ring: KeyRing, pack: Pack) -> int:
    """Sign the certificates issued before credentials were (not the revoked ones): how many."""
    found = await session.exec(
        select(Certificate, Learner)
        .join(Learner, col(Learner.id) == Certificate.learner_id)
        .where(col(Certificate.credential).is_(None), col(Certificate.revoked_at).is_(None))
        .order_by(col(Certificate.issued_at))
    )
    count = 0
    for certificate, learner in found.all():
        await issue(session, settings, ring, certificate, learner, pack)
        count += 1
    return count
