"""The addresses a signed certificate's alignments point to answer with the framework's page."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import httpx
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine

from hocvuso.config import Settings
from hocvuso.content.loader import Pack
from hocvuso.credentials.keys import KeyRing
from tests.web.certificates import issue_certificate


async def test_every_alignment_of_a_certificate_leads_to_its_area_on_a_page(
    app: FastAPI,
    client: httpx.AsyncClient,
    database: AsyncEngine,
    web_settings: Settings,
    ring: KeyRing,
    pack: Pack,
) -> None:
    app.state.pack = pack  # the pack the bot issued with (HOCVUSO_CONTENT_PATH, shared)
    _code, signed = await issue_certificate(database, web_settings, ring, pack)
    alignments = signed["credentialSubject"]["achievement"]["alignment"]
    assert alignments
    for alignment in alignments:
        url = urlsplit(alignment["targetUrl"])
        answer = await client.get(url.path)
        assert answer.status_code == 200, url.path
        page = answer.text
        assert alignment["targetFramework"] in page
        row = re.search(rf'<tr id="{re.escape(url.fragment)}">(.*?)</tr>', page, re.S)
        assert row, f"no row for #{url.fragment} on {url.path}"
        assert alignment["targetName"] in row.group(1)
        assert "1 (" in row.group(1)  # the level this certificate is for examines it


async def test_an_unknown_framework_is_a_page_not_found(client: httpx.AsyncClient) -> None:
    answer = await client.get("/frameworks/khong-co")
    assert answer.status_code == 404
    assert "Không tìm thấy khung năng lực" in answer.text
