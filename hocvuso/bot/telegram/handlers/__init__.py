"""aiogram routers, one per feature area, in the order the dispatcher consults them."""

from __future__ import annotations

from aiogram import Router

from hocvuso.bot.telegram.handlers import account, errors, fallback, learning, onboarding, staff


def routers() -> list[Router]:
    return [
        errors.router,
        onboarding.router,
        learning.router,
        account.router,
        staff.router,  # organisers and mentors
        fallback.router,  # catch-all: must stay last
    ]
