"""Test doubles for the world outside hocvuso (a fake Telegram Bot API server)."""

from tests.fakes.bot_api_spec import api_spec_path, load_spec
from tests.fakes.telegram_api import (
    DEFAULT_TOKEN,
    ApiCall,
    CallbackAnswer,
    FakeDocument,
    FakeMessage,
    FakePoll,
    FakeTelegram,
    FakeUser,
    WebhookDelivery,
)

__all__ = [
    "DEFAULT_TOKEN",
    "ApiCall",
    "CallbackAnswer",
    "FakeDocument",
    "FakeMessage",
    "FakePoll",
    "FakeTelegram",
    "FakeUser",
    "WebhookDelivery",
    "api_spec_path",
    "load_spec",
]
