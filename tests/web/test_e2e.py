"""The real ``hocvuso web`` process: migrates its database, serves a certificate's page."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from hocvuso.config import Settings
from hocvuso.content.loader import Pack
from hocvuso.credentials.keys import KeyRing
from hocvuso.storage import db
from tests.web.certificates import issue_certificate, revoke
from tests.web.conftest import PUBLIC_URL
from tests.web.server import WebProcess

pytestmark = pytest.mark.e2e


async def test_the_real_process_serves_a_certificate_page_and_its_revocation(
    database_url: str,
    database: AsyncEngine,
    web_settings: Settings,
    ring: KeyRing,
    pack: Pack,
    tmp_path: Path,
) -> None:
    code, _ = await issue_certificate(database, web_settings, ring, pack, name="Lê Văn Bình")
    env = {
        "HOCVUSO_CREDENTIAL_KEYS": json.dumps(ring.to_json()),
        "HOCVUSO_PUBLIC_URL": PUBLIC_URL,
        "HOCVUSO_ISSUER_NAME": web_settings.issuer_name,
    }
    async with WebProcess(database_url, tmp_path, **env) as web:
        async with httpx.AsyncClient(base_url=web.base_url) as client:
            page = await client.get(f"/verify/{code}")
            assert page.status_code == 200
            assert "Chứng nhận hợp lệ" in page.text and "Lê Văn Bình" in page.text
            assert "server" not in page.headers  # no software banner
            assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
            await revoke(database, code)
            again = await client.get(f"/verify/{code}")
            assert "Chứng nhận đã bị thu hồi" in again.text and "Lê Văn Bình" not in again.text
    log = web.log()
    assert code not in log and "Lê Văn Bình" not in log  # no access log with codes or names
    assert "Application shutdown complete" in log and "Traceback" not in log  # a clean stop


async def test_the_process_migrates_a_new_sqlite_database_itself(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    async with WebProcess(url, tmp_path) as web:
        async with httpx.AsyncClient(base_url=web.base_url) as client:
            assert (await client.get("/verify/HVS1-AAAA-AAAA")).status_code == 404
    engine = db.make_engine(url)
    assert await db.current_revisions(engine) == {db.head_revision()}
    await engine.dispose()


async def test_the_limit_counts_the_client_a_trusted_proxy_names_and_only_then(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'proxy.sqlite3'}"

    async def statuses(web: WebProcess, *clients: str) -> list[int]:
        async with httpx.AsyncClient(base_url=web.base_url) as client:
            return [
                (
                    await client.get("/verify/HVS1-AAAA-AAAA", headers={"X-Forwarded-For": ip})
                ).status_code
                for ip in clients
            ]

    a, b = "203.0.113.10", "203.0.113.20"
    trusted = tmp_path / "trusted"
    trusted.mkdir()
    async with WebProcess(url, trusted, HOCVUSO_WEB_RATE_LIMIT="2") as web:
        assert await statuses(web, a, a, a, b) == [404, 404, 429, 404]
    untrusted = tmp_path / "untrusted"
    untrusted.mkdir()
    only = ("--forwarded-allow-ips", "192.0.2.1")
    async with WebProcess(url, untrusted, args=only, HOCVUSO_WEB_RATE_LIMIT="2") as web:
        # Not from the trusted proxy: the header is ignored, both are this one client.
        assert await statuses(web, a, b, b) == [404, 404, 429]
