"""``/dashboard``: an organiser's or admin's one-time sign-in link to the web dashboard."""

from __future__ import annotations

from hocvuso.chat.context import Ctx
from hocvuso.organising import dashboard
from hocvuso.organising import permissions as perm


async def send_login_link(ctx: Ctx, actor: perm.Actor, _args: str) -> None:
    """The link is valid 10 minutes, once, for this person only (refused for everyone else)."""
    token = await dashboard.do_issue_login_link(ctx.session, actor, ctx.now)
    url = f"{ctx.settings.public_url}/dashboard/login/{token}"
    minutes = int(dashboard.LOGIN_TTL.total_seconds() // 60)
    ctx.say(ctx.t("dashboard-link", url=url, minutes=minutes))
