"""The local terminal chat: the same engine as the Telegram bot, with no token and no network.

Buttons are shown as numbered choices; type the number to press one, or type a command (/learn,
/progress, /help …) or any text, as in Telegram. ``/quit`` or Ctrl-D leaves.
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Callable
from pathlib import Path

from rich.console import Console
from rich.markup import escape as rich_escape
from rich.panel import Panel

from hocvuso.chat.engine import Engine
from hocvuso.chat.events import Command, Event, Person, Press, parse_text
from hocvuso.chat.replies import Outcome, Reply, ready
from hocvuso.delivery.payloads import Button
from hocvuso.i18n import language_of, t

PLATFORM = "local"
log = logging.getLogger(__name__)
_TAG = re.compile(r"</?(b|i|code)>")
_RICH = {"b": "bold", "i": "italic", "code": "cyan"}


def to_rich(text: str) -> str:
    """Our HTML subset to rich markup (everything else shown literally)."""
    out: list[str] = []
    position = 0
    for match in _TAG.finditer(text):
        out.append(rich_escape(html.unescape(text[position : match.start()])))
        closing = match.group(0).startswith("</")
        style = _RICH[match.group(1)]
        out.append(f"[/{style}]" if closing else f"[{style}]")
        position = match.end()
    out.append(rich_escape(html.unescape(text[position:])))
    return "".join(out)


def parse_input(line: str, buttons: list[Button]) -> Event | None:
    line = line.strip()
    if not line:
        return None
    if line.isdecimal() and len(line) <= 3 and buttons and 1 <= int(line) <= len(buttons):
        return Press(buttons[int(line) - 1].data)
    return parse_text(line)


class LocalChat:
    def __init__(
        self,
        engine: Engine,
        console: Console,
        downloads: Path,
        *,
        chat_id: int = 1,
        name: str | None = None,
        language: str = "vi",
    ) -> None:
        self.engine = engine
        self.console = console
        self.downloads = downloads
        self.person = Person(PLATFORM, chat_id, name, language)
        self.buttons: list[Button] = []

    def show(self, outcome: Outcome) -> None:
        if outcome.toast:
            self.console.print(f"[yellow]ℹ {rich_escape(outcome.toast)}[/yellow]")
        for reply in outcome.replies:
            body = to_rich(reply.text)
            if reply.document is not None:
                self.downloads.mkdir(parents=True, exist_ok=True)
                path = self.downloads / reply.document.filename
                path.write_bytes(reply.document.content)
                body += f"\n📎 {rich_escape(str(path))}"
            if reply.buttons:
                self.buttons = [b for row in reply.buttons for b in row]
                choices = "\n".join(
                    f"  [bold cyan]{i}[/bold cyan]  {rich_escape(b.label)}"
                    for i, b in enumerate(self.buttons, start=1)
                )
                body += "\n\n" + choices
            self.console.print(
                Panel(body, border_style="green", title="hocvuso", title_align="left")
            )

    async def send(self, event: Event) -> Outcome:
        try:
            outcome = await self.engine.handle(self.person, event)
        except Exception:
            log.exception("event failed")
            outcome = Outcome(
                replies=[Reply(t(language_of(self.person.language_code), "error-generic"))]
            )
        # Documents made at send time (a certificate PDF) are made before the replies show.
        made = [await ready(reply) for reply in outcome.replies]
        outcome.replies = [reply for reply in made if reply is not None]
        self.show(outcome)
        return outcome

    async def run(self, read: Callable[[], str]) -> None:
        self.console.print(
            "[dim]Gõ số để chọn nút, hoặc gõ lệnh như /learn, /progress, /help. "
            "/quit để thoát.[/dim]"
        )
        await self.send(Command("start"))
        while True:
            try:
                line = read()
            except (EOFError, KeyboardInterrupt):
                break
            if line.strip().lower() in {"/quit", "/exit", "quit", "exit"}:
                break
            event = parse_input(line, self.buttons)
            if event is None:
                continue
            await self.send(event)
        self.console.print("[dim]Hẹn gặp lại! Tiến độ của anh/chị đã được lưu.[/dim]")
