"""A lean Bot API client for bulk ``sendMessage``: one JSON POST, one small answer.

Interactive replies go through aiogram (``bot/telegram/sender.py``). For bulk sending, aiogram's
per-call work (building form data, validating the answer into models) caps one core at well under
1,000 messages/s; this client sends the same request as JSON on kept-alive connections and reads
only ``ok``, ``error_code``, ``description`` and ``retry_after``, so Telegram's limit, not our
code, is what binds.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Protocol

import aiohttp


@dataclass(frozen=True)
class ApiAnswer:
    ok: bool
    error_code: int = 0
    description: str = ""
    retry_after: float = 0.0


class BulkApi(Protocol):
    async def send_message(
        self, chat_id: int, text: str, buttons: list[list[list[str]]]
    ) -> ApiAnswer:
        """Send one HTML message; transport failures raise (aiohttp.ClientError, OSError,
        TimeoutError)."""

    async def close(self) -> None: ...


def payload(chat_id: int, text: str, buttons: list[list[list[str]]]) -> dict[str, Any]:
    body: dict[str, Any] = {
        "chat_id": chat_id,
        "text": text,
        "parse_mode": "HTML",
        "link_preview_options": {"is_disabled": True},
    }
    if buttons:
        body["reply_markup"] = {
            "inline_keyboard": [
                [{"text": label, "callback_data": data} for label, data in row] for row in buttons
            ]
        }
    return body


class BotApiClient:
    def __init__(
        self, token: str, base_url: str, *, connections: int = 100, timeout: float = 10.0
    ) -> None:
        self.url = f"{base_url.rstrip('/')}/bot{token}/sendMessage"
        self.bot_id = int(token.split(":", 1)[0])
        self._connections = connections
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: aiohttp.ClientSession | None = None

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._connections),
                timeout=self._timeout,
                json_serialize=json.dumps,
            )
        return self._session

    async def send_message(
        self, chat_id: int, text: str, buttons: list[list[list[str]]]
    ) -> ApiAnswer:
        async with self._client().post(self.url, json=payload(chat_id, text, buttons)) as response:
            try:
                data = await response.json(content_type=None)
            except ValueError:
                return ApiAnswer(False, response.status, f"HTTP {response.status}")
        if data.get("ok"):
            return ApiAnswer(True)
        parameters = data.get("parameters") or {}
        return ApiAnswer(
            False,
            int(data.get("error_code") or response.status),
            str(data.get("description") or ""),
            float(parameters.get("retry_after") or 0),
        )

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
