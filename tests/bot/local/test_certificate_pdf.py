"""The terminal chat writes the certificate PDF into its downloads folder and shows the path."""

from __future__ import annotations

import io
from pathlib import Path

import pypdf
from rich.console import Console

from hocvuso.bot.local.chat import PLATFORM, LocalChat
from hocvuso.chat.engine import Engine
from tests.chat.flows.test_certificate import pass_level_one, the_certificate
from tests.factories import Conversation


async def test_certificate_writes_the_pdf_and_prints_its_path(
    engine: Engine, tmp_path: Path
) -> None:
    learner = Conversation(engine, engine.pack, chat_id=1, name="Nguyễn Thị Lan", platform=PLATFORM)
    await pass_level_one(learner)
    code = (await the_certificate(learner)).id
    output = io.StringIO()
    console = Console(file=output, width=400, color_system=None)
    downloads = tmp_path / "downloads"
    lines = iter(["/certificate", "/quit"])
    await LocalChat(engine, console, downloads, name="Nguyễn Thị Lan").run(lambda: next(lines))
    path = downloads / f"hocvuso-chung-nhan-{code}.pdf"
    assert str(path) in output.getvalue()
    text = pypdf.PdfReader(path).pages[0].extract_text()
    assert "Nguyễn Thị Lan" in text and code in text
