"""What a person typed, read the same way by every transport (Telegram, PTB, the terminal)."""

from __future__ import annotations

import pytest

from hocvuso.chat.events import Command, Text, parse_text
from hocvuso.i18n import language_of


@pytest.mark.parametrize(
    ("typed", "event"),
    [
        ("/start ABC123", Command("start", "ABC123")),
        ("  /Report@hocvuso_bot   QH-DB ", Command("report", "QH-DB")),
        ("/learn", Command("learn", "")),
        ("b", Text("b")),
        ("  xin chào ", Text("xin chào")),
    ],
)
def test_a_typed_line_is_a_command_or_text_whatever_the_transport(
    typed: str, event: Command | Text
) -> None:
    assert parse_text(typed) == event


@pytest.mark.parametrize(
    ("code", "language"),
    [("en", "en"), ("en-US", "en"), ("EN-gb", "en"), ("vi", "vi"), (None, "vi")],
)
def test_a_client_language_code_gives_one_answer_language_everywhere(
    code: str | None, language: str
) -> None:
    assert language_of(code) == language
