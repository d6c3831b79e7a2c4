"""The public certificate check (issue 12): anyone with a code or a certificate file learns
whether it is valid, revoked, unknown or tampered, and sees the name, level, date and issuer
of a valid one and nothing else. The issuer's profile, keys and status lists are published here
so that any verifier can check a credential without us.

Routes parse input, ask :mod:`hocvuso.learning.certification` and render its answer.
"""

from __future__ import annotations

import re

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from sqlalchemy import text

from hocvuso.credentials.issuer import Issuer
from hocvuso.credentials.keys import KeyRing
from hocvuso.web import pages
from hocvuso.web.security import RATE_WINDOW, client_subject

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
    except Exception:
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
