"""The certificate PDF people keep: A4 landscape, Vietnamese first with English below.

One page: the learner's name, the level, the competence areas it covers, the date, the code, the
issuer, and a QR code that opens the public check page (its address printed under it). The signed
credential rides inside the file as the attachment ``credential.json``, so the PDF alone can be
verified offline (``hocvuso certificate verify FILE``).

fpdf2 writes it in pure Python and embeds only the glyphs used of the shipped Be Vietnam Pro font
(OFL, full Vietnamese coverage: ``fonts/README.md``). Every text is NFC-normalised first: the font
has the precomposed Vietnamese letters, and a copied name that came decomposed would otherwise
print its tone marks beside the letters (and extract differently from what was typed).
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from importlib import resources
from typing import Any

import segno
from fpdf import FPDF
from fpdf.enums import Align, WrapMode, XPos, YPos

from hocvuso.credentials.files import ATTACHMENT

FONT = "BeVietnamPro"


_WIDTH, _HEIGHT = 297.0, 210.0  # A4 landscape, mm
_MARGIN = 18.0
_QR_SIZE = 38.0
#: How far left of the QR code its address may run (it is printed in full, wrapping if need be).
_URL_EXTRA = 52.0
#: The name's size: the largest of these that fits on two lines; below that it wraps further.
_NAME_SIZES = (30, 27, 24, 21, 18, 16, 14, 12)
_NAME_LINES = 2

_MONTHS_EN = (
    "January February March April May June July August September October November December"
).split()

_INK = (26, 46, 84)
_ACCENT = (178, 34, 34)
_MUTED = (90, 90, 90)


@dataclass(frozen=True)
class CertificateView:
    """What the certificate shows, already in both languages."""

    name: str
    level: int
    level_title_vi: str
    level_title_en: str
    areas_vi: Sequence[str]
    areas_en: Sequence[str]
    issued_on: date
    code: str
    verify_url: str
    issuer_name: str


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def filename(code: str) -> str:
    return f"hocvuso-chung-nhan-{code}.pdf"


def render(view: CertificateView, credential: dict[str, Any] | None) -> bytes:
    """The certificate as PDF bytes; ``credential`` (if any) is embedded as ``credential.json``."""
    pdf = _Certificate(view)
    pdf.draw()
    if credential is not None:
        payload = json.dumps(credential, ensure_ascii=False, indent=2).encode()
        pdf.embed_file(
            bytes=payload,
            basename=ATTACHMENT,
            desc="Open Badges 3.0 credential (signed) / Chứng nhận số có chữ ký",
            mime_type="application/ld+json",
            modification_date=pdf.issued_at,
        )
    return bytes(pdf.output())


class _Certificate(FPDF):
    def __init__(self, view: CertificateView) -> None:
        super().__init__(orientation="L", unit="mm", format="A4")
        self.view = view
        # The file is a function of the certificate: rebuilding it gives the same bytes' meaning.
        self.issued_at = datetime.combine(view.issued_on, datetime.min.time(), tzinfo=UTC)
        self.set_creation_date(self.issued_at)
        self.set_lang("vi")
        fonts = resources.files("hocvuso.credentials") / "fonts"
        with resources.as_file(fonts / "BeVietnamPro-Regular.ttf") as regular:
            self.add_font(FONT, "", str(regular))
        with resources.as_file(fonts / "BeVietnamPro-Bold.ttf") as bold:
            self.add_font(FONT, "B", str(bold))
        self.set_title(nfc(f"Giấy chứng nhận / Certificate {view.code}"))
        self.set_author(nfc(view.issuer_name))
        self.set_subject(nfc(view.name))
        self.set_creator("hocvuso")
        self.set_auto_page_break(False)
        self.set_margins(_MARGIN, _MARGIN, _MARGIN)
        self.add_page()

    # --- layout ----------------------------------------------------------------------------
    def draw(self) -> None:
        view = self.view
        self._frame()
        self.set_y(_MARGIN + 8)
        self._line("GIẤY CHỨNG NHẬN", 26, "B", _INK)
        self._line("Certificate of digital skills", 13, "", _MUTED)
        self._line("Bình dân học vụ số · Digital literacy for all", 11, "", _MUTED)
        self.ln(5)
        self._line("Chứng nhận anh/chị · This certifies that", 12, "", _MUTED)
        self._name(view.name)
        self.ln(3)
        self._line(f"đã đạt Cấp độ {view.level}: {view.level_title_vi}", 16, "B", _INK)
        self._line(f"has passed Level {view.level}: {view.level_title_en}", 12, "", _MUTED)
        self.ln(3)
        text_width = _WIDTH - 2 * _MARGIN - _QR_SIZE - _URL_EXTRA - 12
        if view.areas_vi:
            self._line("Lĩnh vực năng lực: " + "; ".join(view.areas_vi), 11, "", _INK)
        if view.areas_en:
            self._line("Competence areas: " + "; ".join(view.areas_en), 10, "", _MUTED)
        self._details(text_width)
        self._qr()

    def _frame(self) -> None:
        self.set_draw_color(*_INK)
        self.set_line_width(1.2)
        self.rect(8, 8, _WIDTH - 16, _HEIGHT - 16)
        self.set_draw_color(*_ACCENT)
        self.set_line_width(0.4)
        self.rect(11, 11, _WIDTH - 22, _HEIGHT - 22)

    def _line(self, text: str, size: float, style: str, color: tuple[int, int, int]) -> None:
        """A centred paragraph that wraps (nothing is ever cut)."""
        self.set_font(FONT, style, size)
        self.set_text_color(*color)
        self.multi_cell(
            0,
            size * 0.5,
            nfc(text),
            align=Align.C,
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )

    def _name(self, name: str) -> None:
        """The name as large as fits on two lines; a longer one shrinks, then wraps further."""
        name = nfc(name)
        for size in _NAME_SIZES:
            self.set_font(FONT, "B", size)
            lines = self.multi_cell(0, size * 0.5, name, dry_run=True, output="LINES")
            assert isinstance(lines, list)
            if len(lines) <= _NAME_LINES:
                break
        self.ln(2)
        self.set_text_color(*_ACCENT)
        self.multi_cell(0, size * 0.5, name, align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def _details(self, width: float) -> None:
        view = self.view
        day = view.issued_on
        rows = (
            (
                "Ngày cấp / Issued on",
                f"{day:%d/%m/%Y} · {day.day} {_MONTHS_EN[day.month - 1]} {day.year}",
            ),
            ("Mã chứng nhận / Certificate code", view.code),
            ("Đơn vị cấp / Issued by", view.issuer_name),
        )
        top = _HEIGHT - _MARGIN - 34
        self.set_y(max(self.get_y() + 4, top))
        for label, value in rows:
            self.set_x(_MARGIN + 6)
            self.set_font(FONT, "", 10)
            self.set_text_color(*_MUTED)
            self.cell(62, 7, nfc(label))
            self.set_font(FONT, "B", 11)
            self.set_text_color(*_INK)
            self.multi_cell(width - 62, 7, nfc(value), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_x(_MARGIN + 6)
        self.set_font(FONT, "", 8)
        self.set_text_color(*_MUTED)
        self.multi_cell(
            width,
            4,
            nfc(
                "Quét mã QR hoặc mở địa chỉ bên cạnh để kiểm tra chứng nhận. Tệp này có kèm "
                "chứng nhận số có chữ ký (credential.json). · Scan the QR code or open the address "
                "beside it to check this certificate; the signed credential is attached."
            ),
            align=Align.L,
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )

    def _qr(self) -> None:
        """The QR code, drawn as vector squares (crisp at any zoom), the address under it."""
        url = self.view.verify_url
        qr = segno.make(url, error="m", micro=False)
        matrix = [list(row) for row in qr.matrix]
        count = len(matrix)
        quiet = 2  # modules of white around it inside the drawn area (plus the page's own)
        module = _QR_SIZE / (count + 2 * quiet)
        left = _WIDTH - _MARGIN - _QR_SIZE - 4
        top = _HEIGHT - _MARGIN - _QR_SIZE - 14
        self.set_fill_color(255, 255, 255)
        self.rect(left, top, _QR_SIZE, _QR_SIZE, style="F")
        self.set_fill_color(0, 0, 0)
        for y, row in enumerate(matrix):
            x = 0
            while x < count:
                if not row[x]:
                    x += 1
                    continue
                start = x
                while x < count and row[x]:
                    x += 1
                self.rect(
                    left + (quiet + start) * module,
                    top + (quiet + y) * module,
                    (x - start) * module,
                    module,
                    style="F",
                )
        self.set_xy(left + _QR_SIZE - _URL_EXTRA - _QR_SIZE, top + _QR_SIZE + 1)
        self.set_font(FONT, "", 7)
        self.set_text_color(*_MUTED)
        self.multi_cell(
            _QR_SIZE + _URL_EXTRA, 3.2, url, align=Align.R, link=url, wrapmode=WrapMode.CHAR
        )
