"""aiogram routers: the error handler, then the catch-all that hands everything to the engine."""

from __future__ import annotations

from aiogram import Router

from hocvuso.bot.telegram.handlers import chat, errors


def routers() -> list[Router]:
    return [errors.router, chat.router]
