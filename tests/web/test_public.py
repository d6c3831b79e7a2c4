"""What anyone sees without a code: the home page, the issuer, its keys, health, headers."""

from __future__ import annotations

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy.ext.asyncio import AsyncEngine

from hocvuso.config import Settings
from hocvuso.credentials import multikey
from hocvuso.credentials.keys import KeyRing
from hocvuso.web.app import create_app
from tests.web.conftest import PUBLIC_URL


async def test_home_page_explains_the_check_in_vietnamese_then_english(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/")
    assert response.status_code == 200
    page = response.text
    assert '<html lang="vi">' in page
    assert "Kiểm tra chứng nhận kỹ năng số" in page
    assert 'lang="en"' in page and "Check a digital skills certificate" in page
    assert 'action="/verify"' in page and 'enctype="multipart/form-data"' in page
    assert '<label for="code">' in page and '<label for="file">' in page
    assert "Học vụ số Thử nghiệm" in page


async def test_the_stylesheet_is_served_by_the_app_itself(client: httpx.AsyncClient) -> None:
    page = (await client.get("/")).text
    assert 'href="/static/style.css"' in page
    css = await client.get("/static/style.css")
    assert css.status_code == 200
    assert css.headers["content-type"].startswith("text/css")
    assert "http" not in page.split("<body>")[0]  # nothing from another site


async def test_the_code_form_leads_to_the_code_s_own_page(client: httpx.AsyncClient) -> None:
    response = await client.get("/verify", params={"code": " hvs1-abcd-efgh "})
    assert response.status_code == 303
    assert response.headers["location"] == "/verify/HVS1-ABCD-EFGH"
    empty = await client.get("/verify", params={"code": "  "})
    assert empty.headers["location"] == "/"


async def test_issuer_profile_lists_every_key_as_multikey(
    client: httpx.AsyncClient, ring: KeyRing
) -> None:
    response = await client.get("/issuer")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/ld+json")
    profile = response.json()
    assert profile["id"] == f"{PUBLIC_URL}/issuer"
    assert profile["name"] == "Học vụ số Thử nghiệm"
    (method,) = profile["verificationMethod"]
    assert method["id"] == f"{PUBLIC_URL}/issuer#{ring.current.name}"
    assert multikey.decode_public(method["publicKeyMultibase"]) == ring.current.public
    assert "secretKeyMultibase" not in response.text


async def test_key_document_is_the_public_multikey_and_unknown_keys_are_404(
    client: httpx.AsyncClient, ring: KeyRing
) -> None:
    response = await client.get(f"/issuer/keys/{ring.current.name}")
    assert response.status_code == 200
    key = response.json()
    assert key["type"] == "Multikey"
    assert key["controller"] == f"{PUBLIC_URL}/issuer"
    assert key["id"] == f"{PUBLIC_URL}/issuer#{ring.current.name}"
    assert multikey.decode_public(key["publicKeyMultibase"]) == ring.current.public
    assert (await client.get("/issuer/keys/key-19990101")).status_code == 404


async def test_healthz_answers_ok_with_a_database(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_healthz_says_unavailable_without_a_database(
    web_settings: Settings, ring: KeyRing
) -> None:
    broken = web_settings.model_copy(
        update={"database_url": SecretStr("postgresql://nobody@127.0.0.1:1/none")}
    )
    app = create_app(broken, ring=ring)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        response = await client.get("/healthz")
    await app.state.engine.dispose()
    assert response.status_code == 503


@pytest.mark.parametrize("path", ["/", "/issuer", "/healthz", "/nowhere"])
async def test_every_response_carries_the_security_headers(
    client: httpx.AsyncClient, path: str
) -> None:
    headers = (await client.get(path)).headers
    csp = headers["content-security-policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer"
    assert "strict-transport-security" not in headers  # development: plain http on a laptop


async def test_production_adds_hsts(
    web_settings: Settings, ring: KeyRing, database: AsyncEngine
) -> None:
    production = web_settings.model_copy(update={"environment": "production"})
    app = create_app(production, ring=ring, engine=database)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="https://t") as client:
        headers = (await client.get("/")).headers
    assert headers["strict-transport-security"].startswith("max-age=31536000")


async def test_no_api_explorer_is_published(client: httpx.AsyncClient) -> None:
    for path in ("/docs", "/redoc", "/openapi.json"):
        assert (await client.get(path)).status_code == 404


async def test_a_missing_page_or_wrong_method_gets_a_readable_page(
    client: httpx.AsyncClient,
) -> None:
    missing = await client.get("/nowhere")
    assert missing.status_code == 404
    assert "Không tìm thấy trang" in missing.text and "Page not found" in missing.text
    wrong = await client.delete("/verify")
    assert wrong.status_code == 405
    assert "Không hỗ trợ thao tác này" in wrong.text
    assert "allow" in wrong.headers
