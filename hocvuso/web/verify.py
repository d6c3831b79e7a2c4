"""The public certificate check (issue 12): anyone with a code or a certificate file learns
whether it is valid, revoked, unknown or tampered, and sees the name, level, date and issuer
of a valid one and nothing else. The issuer's profile, keys and status lists are published here
so that any verifier can check a credential without us.

Routes parse input, ask :mod:`hocvuso.learning.certification` and render its answer.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import re
import time
from collections import OrderedDict
from typing import Any

from fastapi import APIRouter, Request, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from sqlalchemy import func, text
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from hocvuso.credentials import files
from hocvuso.credentials.issuer import Issuer
from hocvuso.credentials.keys import KeyRing
from hocvuso.credentials.status import LIST_SIZE
from hocvuso.learning import certification
from hocvuso.learning.certification import Check
from hocvuso.storage.models import Certificate
from hocvuso.web import pages
from hocvuso.web.security import RATE_WINDOW, client_subject

log = logging.getLogger(__name__)
router = APIRouter()

#: What a certificate code can look like (``HVS1-ABCD-EFGH``); anything else is unknown at once.
CODE = re.compile(r"^[A-Z0-9][A-Z0-9-]{0,31}$")
#: A status list is signed on request and kept this long (its Cache-Control says the same).
STATUS_CACHE_SECONDS = 60.0
JSON_LD = "application/ld+json"


def normalise_code(raw: str) -> str | None:
    """The code as stored (upper case, no spaces), or None when it cannot be one."""
    code = re.sub(r"\s+", "", raw).upper()
    return code if CODE.match(code) else None


@router.get("/", response_class=HTMLResponse)
async def home(request: Request) -> HTMLResponse:
    max_kb = request.app.state.settings.web_upload_max_bytes // 1000
    return pages.render(request, "index.html", {"max_kb": max_kb})


@router.get("/verify")
async def verify_form(code: str = "") -> RedirectResponse:
    """The form on ``/`` sends the code here; the check itself has its own address."""
    normalised = normalise_code(code)
    if not code.strip():
        return RedirectResponse("/", status_code=303)
    # A code that cannot be one still gets its page: it says "unknown", like any other.
    return RedirectResponse(f"/verify/{normalised or 'unknown'}", status_code=303)


@router.get("/healthz")
async def healthz(request: Request) -> JSONResponse:
    try:
        async with request.app.state.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    except Exception as error:  # any failure of the database is "unavailable"
        log.warning("healthz: the database does not answer (%s)", type(error).__name__)
        return JSONResponse({"status": "unavailable"}, status_code=503)
    return JSONResponse({"status": "ok"})


@router.get("/issuer")
async def issuer_profile(request: Request) -> JSONResponse:
    issuer: Issuer = request.app.state.issuer
    ring: KeyRing = request.app.state.ring
    return JSONResponse(issuer.profile(ring), media_type=JSON_LD, headers=_cache(3600))


@router.get("/issuer/keys/{name}")
async def issuer_key(request: Request, name: str) -> JSONResponse:
    issuer: Issuer = request.app.state.issuer
    key = request.app.state.ring.by_name(name)
    if key is None:
        return JSONResponse({"error": "no such key"}, status_code=404)
    document = {
        "@context": ["https://w3id.org/security/multikey/v1"],
        "id": issuer.verification_method(key.name),
        "type": "Multikey",
        "controller": issuer.id,
        "publicKeyMultibase": key.public_multibase,
    }
    return JSONResponse(document, media_type=JSON_LD, headers=_cache(3600))


def _cache(seconds: int) -> dict[str, str]:
    return {"Cache-Control": f"public, max-age={seconds}"}


async def within_limit(request: Request) -> bool:
    host = request.client.host if request.client else None
    subject = client_subject(host, request.app.state.ring.current.seed)
    return bool(await request.app.state.limiter.hit(subject))


def too_many(request: Request) -> Response:
    return pages.message(
        request,
        429,
        ("Quá nhiều lượt kiểm tra", "Too many checks"),
        (
            "Anh/chị đã kiểm tra nhiều lần trong thời gian ngắn. Xin vui lòng đợi một phút "
            "rồi thử lại.",
            "You have checked many times in a short while. Please wait a minute and try again.",
        ),
        headers={"Retry-After": str(int(RATE_WINDOW))},
    )


#: What the page says in each state: heading and text, Vietnamese then English. A revoked
#: certificate says only that; an unknown code says nothing about whether it ever existed.
VERDICTS: dict[str, tuple[str, tuple[str, str], tuple[str, str]]] = {
    "valid": (
        "✓",
        ("Chứng nhận hợp lệ", "Valid certificate"),
        (
            "Chứng nhận này được ký số bởi đơn vị cấp và nội dung chưa bị thay đổi.",
            "This certificate is signed by its issuer and has not been changed.",
        ),
    ),
    "revoked": (
        "✗",
        ("Chứng nhận đã bị thu hồi", "Certificate revoked"),
        ("Chứng nhận này không còn hiệu lực.", "This certificate is no longer valid."),
    ),
    "unknown": (
        "?",
        ("Không tìm thấy chứng nhận", "Certificate not found"),
        (
            "Không có chứng nhận nào mang mã này. Anh/chị vui lòng kiểm tra lại mã in trên "
            "chứng nhận (dạng HVS1-ABCD-EFGH).",
            "No certificate has this code. Please check the code printed on the certificate "
            "(like HVS1-ABCD-EFGH).",
        ),
    ),
    "unknown-file": (
        "?",
        ("Không xác định được chứng nhận", "Certificate not recognised"),
        (
            "Tệp này không mang chữ ký số của đơn vị cấp này (hoặc chưa được ký), nên không thể "
            "xác nhận.",
            "This file does not carry this issuer's digital signature (or is not signed), so it "
            "cannot be confirmed.",
        ),
    ),
    "tampered": (
        "✗",
        ("Chứng nhận đã bị sửa đổi", "Certificate has been altered"),
        (
            "Nội dung không khớp với chữ ký số của đơn vị cấp: các thông tin trên đó không "
            "đáng tin cậy.",
            "Its content does not match the issuer's digital signature: what it says cannot "
            "be trusted.",
        ),
    ),
}
NO_STORE = {"Cache-Control": "no-store"}


def verdict(request: Request, result: Check, code: str | None, *, upload: bool = False) -> Response:
    key = "unknown-file" if upload and result.state == "unknown" else result.state
    mark, heading, words = VERDICTS[key]
    context = {
        "state": result.state,
        "mark": mark,
        "heading_vi": heading[0],
        "heading_en": heading[1],
        "text_vi": words[0],
        "text_en": words[1],
        "check": result if result.ok else None,
        "code": code,
    }
    status_code = 404 if result.state == "unknown" and not upload else 200
    response = pages.render(request, "verify.html", context, status_code)
    response.headers.update(NO_STORE)
    return response


@router.get("/verify/{code}", response_class=HTMLResponse)
async def verify_code(request: Request, code: str) -> Response:
    if not await within_limit(request):
        return too_many(request)
    normalised = normalise_code(code)
    if normalised is None:
        return verdict(request, Check("unknown"), None)
    state = request.app.state
    memo: CheckMemo = state.check_memo
    async with state.sessions() as session:
        # The row first (the session keeps it: ``check`` reads it again for free); a proof
        # already verified for exactly this content is not verified again.
        key = memo.key_of(await certification.find(session, normalised))
        result = memo.get(key)
        if result is None:
            result = await certification.check(session, state.settings, state.ring, normalised)
            memo.put(key, result)
    return verdict(request, result, normalised if result.state != "unknown" else None)


class CheckMemo:
    """What :func:`certification.check` said of a certificate whose row had exactly this code,
    level and credential (a hash of its JSON). Checking a signature canonicalises the whole
    credential (RDFC-1.0), several times the cost of the rest of a page; a revoked certificate
    is never looked up here (its row says so before any proof), and a credential changed in
    the store has another hash, so it is checked again."""

    def __init__(self, size: int = 10_000) -> None:
        self.size = size
        self._found: OrderedDict[tuple[str, int, str], Check] = OrderedDict()

    @staticmethod
    def key_of(certificate: Certificate | None) -> tuple[str, int, str] | None:
        if certificate is None or certificate.revoked_at is not None:
            return None
        if certificate.credential is None:
            return None
        content = json.dumps(certificate.credential, sort_keys=True, ensure_ascii=False)
        digest = hashlib.sha256(content.encode()).hexdigest()
        return certificate.id, certificate.level, digest

    def get(self, key: tuple[str, int, str] | None) -> Check | None:
        found = self._found.get(key) if key is not None else None
        if found is not None and key is not None:
            self._found.move_to_end(key)
        return found

    def put(self, key: tuple[str, int, str] | None, result: Check) -> None:
        if key is None or result.state == "revoked":
            return
        self._found[key] = result
        while len(self._found) > self.size:
            self._found.popitem(last=False)


@router.get("/credentials/{code}.json")
async def credential(request: Request, code: str) -> Response:
    """The signed credential as issued: 410 once revoked, 404 for any other code."""
    if not await within_limit(request):
        return too_many(request)
    normalised = normalise_code(code)
    found = None
    if normalised is not None:
        async with request.app.state.sessions() as session:
            found = await certification.find(session, normalised)
    if found is not None and found.revoked_at is not None:
        return JSONResponse({"status": "revoked"}, status_code=410, headers=NO_STORE)
    if found is None or found.credential is None:
        return JSONResponse({"status": "unknown"}, status_code=404, headers=NO_STORE)
    return JSONResponse(found.credential, media_type=JSON_LD, headers=NO_STORE)


@router.get("/status/{number}")
async def status_list(request: Request, number: int) -> Response:
    """The signed status list, kept ``status_cache_seconds`` (a revocation shows within that)."""
    state = request.app.state
    cache: dict[int, tuple[float, dict[str, Any]]] = state.status_cache
    seconds: float = state.status_cache_seconds
    headers = _cache(int(seconds))
    cached = cache.get(number)
    if cached is not None and cached[0] > time.monotonic():
        return JSONResponse(cached[1], media_type=JSON_LD, headers=headers)
    async with state.sessions() as session:
        if not 0 <= number <= await _last_list(session):
            return JSONResponse({"status": "unknown"}, status_code=404)
        document = await certification.status_list_credential(
            session, state.settings, state.ring, number
        )
    cache[number] = (time.monotonic() + seconds, document)
    return JSONResponse(document, media_type=JSON_LD, headers=headers)


async def _last_list(session: AsyncSession) -> int:
    """The highest status list in use (0 when none is: list 0 always exists)."""
    highest = (await session.exec(select(func.max(col(Certificate.status_index))))).one()
    return int(highest) // LIST_SIZE if highest is not None else 0


class BadUpload(ValueError):
    """The upload is not a credential: the message says why, Vietnamese then English."""

    def __init__(self, vi: str, en: str) -> None:
        super().__init__(en)
        self.vi, self.en = vi, en


NOT_A_CREDENTIAL = BadUpload(
    "Tệp này không phải là chứng nhận: anh/chị vui lòng tải lên tệp PDF chứng nhận hoặc tệp "
    "JSON của chứng nhận ký số.",
    "This file is not a certificate: please upload the certificate's PDF or its signed JSON "
    "credential.",
)
NO_ATTACHMENT = BadUpload(
    "Tệp PDF này không chứa chứng nhận ký số (tệp đính kèm credential.json). Anh/chị vui lòng "
    "dùng đúng tệp PDF đã nhận từ hệ thống, hoặc kiểm tra bằng mã in trên chứng nhận.",
    "This PDF has no signed credential inside (the attachment credential.json). Please use the "
    "PDF the system sent, or check the code printed on the certificate.",
)


def read_credential(data: bytes) -> dict[str, Any]:
    """The credential in an upload: a JSON file, or a PDF with ``credential.json`` attached."""
    try:
        return files.read_credential(data)
    except files.UnreadableCredential as problem:
        raise (NO_ATTACHMENT if problem.kind == "attachment" else NOT_A_CREDENTIAL) from None


@router.post("/verify", response_class=HTMLResponse)
async def verify_upload(request: Request, file: UploadFile | None = None) -> Response:
    if not await within_limit(request):
        return too_many(request)
    if file is None:
        return _bad_upload(request, NOT_A_CREDENTIAL)
    data = await file.read()
    try:
        document = await asyncio.to_thread(read_credential, data)
    except BadUpload as problem:
        return _bad_upload(request, problem)
    state = request.app.state
    issuer: Issuer = state.issuer
    index = certification.status_index_of(document, issuer)
    revoked = False
    if index is not None:
        async with state.sessions() as session:
            revoked = await _is_revoked(session, index)
    result = await asyncio.to_thread(_check_document, document, issuer, state.ring, revoked)
    return verdict(request, result, None, upload=True)


def _check_document(
    document: dict[str, Any], issuer: Issuer, ring: KeyRing, revoked: bool
) -> Check:
    try:
        return certification.check_document(
            document, issuer.public_key_for(ring), revoked=lambda _: revoked
        )
    except RecursionError:  # nested deeper than any credential: not one of ours
        return Check("tampered", reason="the credential is malformed")


async def _is_revoked(session: AsyncSession, index: int) -> bool:
    """What the status list says of this bit: revoked only when its certificate was."""
    found = await session.exec(
        select(Certificate.id).where(
            Certificate.status_index == index, col(Certificate.revoked_at).is_not(None)
        )
    )
    return found.first() is not None


def _bad_upload(request: Request, problem: BadUpload) -> Response:
    return pages.message(
        request,
        400,
        ("Không đọc được tệp", "The file cannot be read"),
        (problem.vi, problem.en),
    )
