"""Text hygiene in hocvuso.i18n: messages escape their values once (and a long value is placed
whole, not as Fluent's ``{???}``); plain text undoes exactly that escape; names lose bidi
controls, zero-width and other invisible characters."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from hocvuso.i18n import clean_name, plain, t

INVISIBLE = [
    *map(chr, range(0x202A, 0x202F)),  # LRE, RLE, PDF, LRO, RLO
    *map(chr, range(0x2066, 0x206A)),  # LRI, RLI, FSI, PDI
    "\u200e",
    "\u200f",
    "\u061c",
    "\u200b",
    "\u200c",
    "\u200d",
    "\u2060",
    "\ufeff",
]


def test_a_name_keeps_its_letters_and_loses_bidi_and_zero_width_characters() -> None:
    assert clean_name("\u202eNguyễn\u200b Văn\u2066 A\u2069\ufeff") == "Nguyễn Văn A"
    assert clean_name("  Trần\t\tThị\n\nBình  ") == "Trần Thị Bình"
    # Decomposed Vietnamese (as some keyboards type it) is stored composed: one way to match.
    assert clean_name("Nguye\u0302\u0303n") == "Nguyễn"
    assert clean_name("Tú & Tài <b>") == "Tú & Tài <b>"  # raw: escaping is the renderer's
    assert clean_name("".join(INVISIBLE)) == ""
    assert clean_name(None) == ""
    assert clean_name("Lê Văn Tám" * 20, limit=10) == "Lê Văn Tám"


@given(st.text())
def test_a_cleaned_name_has_no_invisible_characters_and_cleaning_it_again_changes_nothing(
    text: str,
) -> None:
    name = clean_name(text)
    assert all(unicodedata.category(c) not in {"Cc", "Cf", "Cs"} for c in name)
    assert not set(name) & set(INVISIBLE)
    assert unicodedata.is_normalized("NFC", name)
    assert name == name.strip() and "  " not in name
    assert clean_name(name) == name


@given(st.text(alphabet=st.characters(categories=["L", "M", "N", "P", "S", "Zs"])))
def test_cleaning_keeps_every_visible_character_of_a_name(text: str) -> None:
    expected = " ".join(unicodedata.normalize("NFC", text).split())
    assert clean_name(text) == expected


@given(st.text())
def test_a_value_is_escaped_once_in_a_message_and_read_back_exactly_as_plain_text(
    value: str,
) -> None:
    message = t("vi", "report-direct", name=value)
    assert plain(message) == f"{value} – trực thuộc trực tiếp"


def test_a_rendered_message_placed_into_another_is_not_escaped_twice() -> None:
    direct = t("vi", "report-direct", name="Tú & Tài")
    assert direct == "Tú &amp; Tài – trực thuộc trực tiếp"
    assert t("vi", "leaderboard-people", names=direct).endswith(
        ": Tú &amp; Tài – trực thuộc trực tiếp"
    )


def test_a_long_value_is_placed_whole_not_as_fluents_placeholder() -> None:
    text = "Thông báo & lịch họp. " * 200  # 4,400 characters: over Fluent's 2,500
    message = t("vi", "leaderboard-people", names=text)
    assert "{???}" not in message
    assert plain(message) == f"Đã đạt chuẩn trong đơn vị (người đồng ý hiện tên): {text}"
