"""The check page, the credential and status endpoints, and uploads: what a verifier sees."""

from __future__ import annotations

import copy
import io
import json
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from pypdf import PdfWriter
from sqlalchemy.ext.asyncio import AsyncEngine

from hocvuso.config import Settings
from hocvuso.content.loader import Pack
from hocvuso.credentials import proof, status
from hocvuso.credentials.keys import KeyRing
from tests.web.certificates import issue_certificate, revoke
from tests.web.conftest import PUBLIC_URL

NAME = "Nguyễn Thị Lan"


@pytest.fixture
async def issued(
    database: AsyncEngine, web_settings: Settings, ring: KeyRing, pack: Pack
) -> tuple[str, dict[str, Any]]:
    return await issue_certificate(database, web_settings, ring, pack, name=NAME)


def pdf_with(attachment: bytes | None) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(842, 595)
    if attachment is not None:
        writer.add_attachment("credential.json", attachment)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


async def upload(
    client: httpx.AsyncClient, data: bytes, filename: str = "credential.json"
) -> httpx.Response:
    return await client.post("/verify", files={"file": (filename, data)})


async def test_a_valid_code_shows_name_level_date_and_issuer_and_nothing_else(
    client: httpx.AsyncClient, issued: tuple[str, dict[str, Any]], pack: Pack
) -> None:
    code, _ = issued
    response = await client.get(f"/verify/{code}")
    assert response.status_code == 200
    page = response.text
    assert "Chứng nhận hợp lệ" in page and "Valid certificate" in page
    assert NAME in page
    assert pack.level_title(1, "vi") in page
    assert "20/11/2026" in page
    assert "Học vụ số Thử nghiệm" in page
    assert "9/10" not in page and "sha256$" not in page  # no score, no identity hash
    assert response.headers["cache-control"] == "no-store"


async def test_a_code_typed_in_lower_case_with_spaces_is_found(
    client: httpx.AsyncClient, issued: tuple[str, dict[str, Any]]
) -> None:
    code, _ = issued
    response = await client.get(f"/verify/{code.lower()}")
    assert "Chứng nhận hợp lệ" in response.text


async def test_a_revoked_certificate_says_only_revoked(
    client: httpx.AsyncClient, issued: tuple[str, dict[str, Any]], database: AsyncEngine
) -> None:
    code, _ = issued
    assert "Chứng nhận hợp lệ" in (await client.get(f"/verify/{code}")).text  # checked once
    await revoke(database, code)
    response = await client.get(f"/verify/{code}")
    assert response.status_code == 200
    page = response.text
    assert "Chứng nhận đã bị thu hồi" in page and "Certificate revoked" in page
    assert NAME not in page
    assert "20/11/2026" not in page and "Học vụ số Thử nghiệm" in page  # only the site's name


@pytest.mark.parametrize(
    "code", ["HVS1-ZZZZ-ZZZZ", "nothing", "%3Cscript%3E", "A" * 200, "HVS1-ABCD'--"]
)
async def test_unknown_and_bad_codes_answer_alike(
    client: httpx.AsyncClient, issued: tuple[str, dict[str, Any]], code: str
) -> None:
    response = await client.get(f"/verify/{code}")
    assert response.status_code == 404
    assert "Không tìm thấy chứng nhận" in response.text
    assert "Certificate not found" in response.text
    assert NAME not in response.text
    assert "<script>" not in response.text


async def test_a_stored_credential_changed_in_the_database_says_tampered(
    client: httpx.AsyncClient, issued: tuple[str, dict[str, Any]], database: AsyncEngine
) -> None:
    from sqlalchemy import update

    from hocvuso.storage.models import Certificate

    code, signed = issued
    assert "Chứng nhận hợp lệ" in (await client.get(f"/verify/{code}")).text  # checked once
    forged = copy.deepcopy(signed)
    forged["credentialSubject"]["identifier"][0]["identityHash"] = "Trần Văn Giả"
    async with database.begin() as connection:
        await connection.execute(
            update(Certificate).where(Certificate.id == code).values(credential=forged)  # type: ignore[arg-type]
        )
    response = await client.get(f"/verify/{code}")
    assert "Chứng nhận đã bị sửa đổi" in response.text
    assert "Trần Văn Giả" not in response.text


async def test_the_credential_json_is_the_signed_one_then_gone_when_revoked(
    client: httpx.AsyncClient, issued: tuple[str, dict[str, Any]], database: AsyncEngine
) -> None:
    code, signed = issued
    response = await client.get(f"/credentials/{code}.json")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/ld+json")
    assert response.json() == signed
    assert response.json()["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    assert (await client.get("/credentials/HVS1-ZZZZ-ZZZZ.json")).status_code == 404
    assert (await client.get("/credentials/..%2Fetc.json")).status_code == 404
    await revoke(database, code)
    gone = await client.get(f"/credentials/{code}.json")
    assert gone.status_code == 410
    assert NAME not in gone.text


async def test_the_status_list_sets_the_bit_after_a_revoke(
    app: FastAPI,
    client: httpx.AsyncClient,
    issued: tuple[str, dict[str, Any]],
    database: AsyncEngine,
    ring: KeyRing,
) -> None:
    code, signed = issued
    entry = signed["credentialStatus"]
    url = entry["statusListCredential"]
    assert url.startswith(f"{PUBLIC_URL}/status/")
    path, bit = url.removeprefix(PUBLIC_URL), int(entry["statusListIndex"])

    before = await client.get(path)
    assert before.status_code == 200
    document = before.json()
    assert "BitstringStatusListCredential" in document["type"]
    assert not status.is_set(document["credentialSubject"]["encodedList"], bit)
    issuer = app.state.issuer
    assert proof.verify(document, issuer.public_key_for(ring)).ok  # signed by the issuer

    await revoke(database, code)
    cached = await client.get(path)  # kept briefly: the same signed list
    assert cached.json() == document
    assert "max-age=60" in cached.headers["cache-control"]
    app.state.status_cache.clear()
    after = (await client.get(path)).json()
    assert status.is_set(after["credentialSubject"]["encodedList"], bit)


async def test_status_lists_not_in_use_are_404(client: httpx.AsyncClient) -> None:
    assert (await client.get("/status/0")).status_code == 200
    assert (await client.get("/status/5")).status_code == 404
    assert (await client.get("/status/-1")).status_code == 404
    assert (await client.get("/status/abc")).status_code == 422


async def test_an_uploaded_valid_json_credential_is_valid(
    client: httpx.AsyncClient, issued: tuple[str, dict[str, Any]]
) -> None:
    _, signed = issued
    response = await upload(client, json.dumps(signed).encode())
    assert response.status_code == 200
    assert "Chứng nhận hợp lệ" in response.text and NAME in response.text


async def test_an_uploaded_pdf_is_checked_by_its_attached_credential(
    client: httpx.AsyncClient, issued: tuple[str, dict[str, Any]]
) -> None:
    _, signed = issued
    response = await upload(client, pdf_with(json.dumps(signed).encode()), "chung-nhan.pdf")
    assert "Chứng nhận hợp lệ" in response.text and NAME in response.text


@pytest.mark.parametrize("as_pdf", [False, True])
async def test_an_upload_with_a_changed_name_says_tampered(
    client: httpx.AsyncClient, issued: tuple[str, dict[str, Any]], as_pdf: bool
) -> None:
    _, signed = issued
    forged = copy.deepcopy(signed)
    forged["credentialSubject"]["identifier"][0]["identityHash"] = "Trần Văn Giả"
    data = json.dumps(forged, ensure_ascii=False).encode()
    response = await upload(client, pdf_with(data) if as_pdf else data)
    assert response.status_code == 200
    assert "Chứng nhận đã bị sửa đổi" in response.text
    assert "Trần Văn Giả" not in response.text and NAME not in response.text


async def test_an_uploaded_credential_of_a_revoked_certificate_says_revoked(
    client: httpx.AsyncClient, issued: tuple[str, dict[str, Any]], database: AsyncEngine
) -> None:
    code, signed = issued
    await revoke(database, code)
    response = await upload(client, json.dumps(signed).encode())
    assert "Chứng nhận đã bị thu hồi" in response.text and NAME not in response.text


async def test_an_upload_signed_by_another_key_is_not_recognised(
    client: httpx.AsyncClient, web_settings: Settings, pack: Pack, database: AsyncEngine
) -> None:
    from datetime import UTC, datetime

    from hocvuso.credentials import keys

    stranger = KeyRing((keys.new_key(datetime(2026, 1, 1, tzinfo=UTC)),))
    _, signed = await issue_certificate(database, web_settings, stranger, pack, name="Ai Đó")
    response = await upload(client, json.dumps(signed).encode())
    assert "Không xác định được chứng nhận" in response.text
    assert "Ai Đó" not in response.text


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", "không phải là chứng nhận"),
        (b"\xff\xfe garbage \x00", "không phải là chứng nhận"),
        (b"[1, 2, 3]", "không phải là chứng nhận"),
        (b"%PDF-1.7 broken", "không phải là chứng nhận"),
        (b"[" * 100_000, "không phải là chứng nhận"),
        (None, "không chứa chứng nhận ký số"),
    ],
)
async def test_bad_uploads_get_a_clear_message(
    client: httpx.AsyncClient, data: bytes | None, expected: str
) -> None:
    response = await upload(client, pdf_with(None) if data is None else data)
    assert response.status_code == 400
    assert "Không đọc được tệp" in response.text and "The file cannot be read" in response.text
    assert expected in response.text


async def test_a_post_without_a_file_gets_a_clear_message(client: httpx.AsyncClient) -> None:
    response = await client.post("/verify", data={"x": "1"})
    assert response.status_code == 400
    assert "không phải là chứng nhận" in response.text


async def test_an_upload_over_the_limit_is_refused_before_it_is_read(
    client: httpx.AsyncClient, web_settings: Settings
) -> None:
    big = b"{" + b" " * (web_settings.web_upload_max_bytes + 10) + b"}"
    response = await upload(client, big)
    assert response.status_code == 413
    assert "Tệp quá lớn" in response.text
    assert "content-security-policy" in response.headers


async def test_a_streamed_upload_over_the_limit_is_refused(
    client: httpx.AsyncClient, web_settings: Settings
) -> None:
    chunk = b"x" * 100_000
    boundary = "hocvuso-test-boundary"

    async def body() -> Any:  # no Content-Length: the size is known only while reading
        yield (
            f"--{boundary}\r\nContent-Disposition: form-data; name=file; "
            'filename="big.json"\r\nContent-Type: application/json\r\n\r\n'
        ).encode()
        for _ in range(web_settings.web_upload_max_bytes // len(chunk) + 2):
            yield chunk
        yield f"\r\n--{boundary}--\r\n".encode()

    response = await client.post(
        "/verify",
        content=body(),
        headers={"content-type": f"multipart/form-data; boundary={boundary}"},
    )
    assert response.status_code == 413
    assert "Tệp quá lớn" in response.text


async def test_a_name_with_markup_is_shown_as_text(
    client: httpx.AsyncClient,
    database: AsyncEngine,
    web_settings: Settings,
    ring: KeyRing,
    pack: Pack,
) -> None:
    name = '<script>alert("x")</script> Đỗ'
    code, _ = await issue_certificate(database, web_settings, ring, pack, name=name)
    page = (await client.get(f"/verify/{code}")).text
    assert "&lt;script&gt;" in page and "<script>" not in page
