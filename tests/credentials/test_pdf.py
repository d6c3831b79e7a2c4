"""The certificate PDF: what a person reads on it, scans from it, and what a verifier pulls out."""

from __future__ import annotations

import io
import json
import re
import unicodedata
from dataclasses import replace
from datetime import date
from typing import Any

import pypdf
import pypdfium2
import pytest
import zxingcpp

from hocvuso.credentials.pdf import ATTACHMENT, CertificateView, filename, render

VIEW = CertificateView(
    name="Nguyễn Thị Hồng Nhung",
    level=1,
    level_title_vi="Cơ bản",
    level_title_en="Basic",
    areas_vi=("Khai thác dữ liệu và thông tin", "An toàn"),
    areas_en=("Information and data literacy", "Safety"),
    issued_on=date(2026, 12, 3),
    code="HV7K3MQ2PX",
    verify_url="https://hocvuso.example.gov.vn/verify/HV7K3MQ2PX",
    issuer_name="Ban Chỉ đạo Bình dân học vụ số",
)
CREDENTIAL: dict[str, Any] = {
    "type": ["VerifiableCredential", "OpenBadgeCredential"],
    "credentialSubject": {"name": "Nguyễn Thị Hồng Nhung"},
    "proof": {"proofValue": "z3FXQje"},
}


def text_of(pdf: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    return reader.pages[0].extract_text()


def qr_codes(pdf: bytes) -> list[str]:
    page = pypdfium2.PdfDocument(pdf)[0]
    image = page.render(scale=2).to_pil()
    return [code.text for code in zxingcpp.read_barcodes(image)]


def test_the_page_is_a4_landscape() -> None:
    page = pypdf.PdfReader(io.BytesIO(render(VIEW, None))).pages[0]
    width, height = float(page.mediabox.width), float(page.mediabox.height)
    assert (round(width), round(height)) == (842, 595)  # points: 297 × 210 mm


def test_the_name_with_its_diacritics_the_level_areas_date_and_code_read_back_exactly() -> None:
    text = text_of(render(VIEW, CREDENTIAL))
    assert "Nguyễn Thị Hồng Nhung" in text
    assert "Cấp độ 1: Cơ bản" in text
    assert "Level 1: Basic" in text
    assert "Khai thác dữ liệu và thông tin; An toàn" in text
    assert "Information and data literacy; Safety" in text
    assert "03/12/2026" in text and "3 December 2026" in text
    assert "HV7K3MQ2PX" in text
    assert "Ban Chỉ đạo Bình dân học vụ số" in text
    assert VIEW.verify_url in text
    # Vietnamese first: the Vietnamese title comes before the English one.
    assert text.index("GIẤY CHỨNG NHẬN") < text.index("Certificate")


def test_a_decomposed_name_prints_as_the_composed_letters() -> None:
    decomposed = unicodedata.normalize("NFD", VIEW.name)
    assert decomposed != VIEW.name
    text = text_of(render(replace(VIEW, name=decomposed), None))
    assert "Nguyễn Thị Hồng Nhung" in text


def test_the_qr_code_opens_the_check_page() -> None:
    assert qr_codes(render(VIEW, CREDENTIAL)) == [VIEW.verify_url]


def test_a_long_check_address_is_still_in_the_qr_code_and_printed_in_full() -> None:
    url = "https://hoc-vu-so.bo-noi-vu.example.gov.vn/chung-nhan/kiem-tra/verify/HV7K3MQ2PX"
    pdf = render(replace(VIEW, verify_url=url), None)
    assert qr_codes(pdf) == [url]
    assert url in re.sub(r"\s", "", text_of(pdf))


def test_the_signed_credential_is_attached_and_round_trips() -> None:
    reader = pypdf.PdfReader(io.BytesIO(render(VIEW, CREDENTIAL)))
    assert list(reader.attachments) == [ATTACHMENT]
    (payload,) = reader.attachments[ATTACHMENT]
    assert json.loads(payload) == CREDENTIAL


def test_without_a_credential_nothing_is_attached() -> None:
    reader = pypdf.PdfReader(io.BytesIO(render(VIEW, None)))
    assert dict(reader.attachments) == {}


@pytest.mark.parametrize(
    "name",
    [
        "Tôn Nữ Thị Phương Thảo Nguyên Khánh Hoàng Bảo Ngọc Lan Anh Minh Châu",
        "Công Tằng Tôn Nữ Thị " * 6,
        "Nguyễn" + "ễ" * 60,  # one word longer than the line: broken, never cut
    ],
)
def test_a_long_name_wraps_or_shrinks_and_is_never_cut(name: str) -> None:
    pdf = render(replace(VIEW, name=name), None)
    text = re.sub(r"\s", "", text_of(pdf))
    assert re.sub(r"\s", "", name) in text
    # The rest of the page is still there, and the QR code still scans.
    assert "HV7K3MQ2PX" in text
    assert qr_codes(pdf) == [VIEW.verify_url]


def test_only_the_glyphs_used_are_embedded() -> None:
    # The two shipped TTFs weigh 270 KB; a certificate carries only what it prints.
    assert len(render(VIEW, CREDENTIAL)) < 60_000


def test_the_file_name_carries_the_code() -> None:
    assert filename("HV7K3MQ2PX") == "hocvuso-chung-nhan-HV7K3MQ2PX.pdf"
