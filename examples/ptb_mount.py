"""Mount the hocvuso course in an existing python-telegram-bot application.

Shows: building hocvuso's runtime (database, content, engine) from settings and adding its
handlers to a PTB ``Application`` next to the application's own handlers.

Run: HOCVUSO_TELEGRAM_TOKEN=… python examples/ptb_mount.py
"""

from __future__ import annotations

import asyncio

from telegram.ext import Application

from hocvuso import runtime
from hocvuso.bot.ptb import add_hocvuso_handlers
from hocvuso.config import get_settings


def main() -> None:
    settings = get_settings()
    assert settings.telegram_token, "set HOCVUSO_TELEGRAM_TOKEN"
    rt = asyncio.get_event_loop().run_until_complete(runtime.start(settings))
    application = (
        Application.builder()
        .token(settings.telegram_token.get_secret_value())
        .base_url(f"{settings.telegram_api_url}/bot")
        .base_file_url(f"{settings.telegram_api_url}/file/bot")
        .build()
    )
    # ... the application's own handlers go here, in group 0 ...
    add_hocvuso_handlers(application, rt.engine, group=1)
    application.run_polling(allowed_updates=["message", "callback_query"])


if __name__ == "__main__":
    main()
