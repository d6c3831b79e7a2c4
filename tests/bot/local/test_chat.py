"""The terminal chat: numbered buttons, typed commands, our HTML shown as rich text."""

from __future__ import annotations

import io

from rich.console import Console

from hocvuso.bot.local.chat import LocalChat, parse_input, to_rich
from hocvuso.chat.engine import Engine
from hocvuso.chat.events import Command, Press, Text
from hocvuso.delivery.payloads import Button


def test_a_number_presses_the_numbered_button() -> None:
    buttons = [Button("Có", "cy::"), Button("Không", "cn::")]
    assert parse_input("2", buttons) == Press("cn::")
    assert parse_input("3", buttons) == Text("3")  # no such button: plain text
    assert parse_input("/learn now", buttons) == Command("learn", "now")
    assert parse_input("   ", buttons) is None
    # digits int() refuses are text, not a crash of the terminal chat
    assert parse_input("²", buttons) == Text("²")
    assert parse_input("1" * 4_301, buttons) == Text("1" * 4_301)


def test_html_subset_becomes_rich_markup_and_the_rest_is_literal() -> None:
    assert to_rich("<b>Bài 1</b> &lt;i&gt; [x]") == "[bold]Bài 1[/bold] <i> \\[x]"


async def test_a_whole_local_session_from_typed_lines(engine: Engine, tmp_path) -> None:
    output = io.StringIO()
    console = Console(file=output, width=100, color_system=None)
    chat = LocalChat(engine, console, tmp_path, name="Lan")
    lines = iter(["1", "1", "2", "1", "2", "1", "/progress", "/mydata", "/quit"])
    await chat.run(lambda: next(lines))
    shown = output.getvalue()
    assert "Bài 1/3" in shown
    assert "Câu 1/3" in shown  # pressing 1 on the lesson opened its questions
    assert "Tiến độ của anh/chị" in shown
    assert (tmp_path / "hocvuso-du-lieu-ca-nhan.json").exists()
    assert "Hẹn gặp lại" in shown
