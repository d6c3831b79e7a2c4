"""Sign-in without passwords: a one-time link for organisers and admins only, a session cookie
with idle and absolute expiry, CSRF on every POST, sign-out; every step audited."""

from __future__ import annotations

import pytest
from sqlmodel import col, select

from hocvuso.config import Settings
from hocvuso.organising import dashboard
from hocvuso.organising import permissions as perm
from hocvuso.organising.errors import Forbidden
from hocvuso.storage.organising import (
    AuditEntry,
    DashboardLogin,
    DashboardSession,
    Role,
    RoleGrant,
)
from hocvuso.web.dashboard.routes import COOKIE
from tests.web.dashboard.conftest import World, make_app

USED_UP = "Đường dẫn đăng nhập này không còn dùng được"
SIGNED_OUT = "Phiên đăng nhập đã hết hạn hoặc đã đăng xuất"


async def audit_actions(w: World, who: str) -> list[tuple[str, str]]:
    async with w.sessions() as session:
        found = await session.exec(
            select(AuditEntry).where(AuditEntry.actor_id == w.id(who)).order_by(col(AuditEntry.id))
        )
        return [(e.action, e.via) for e in found.all()]


@pytest.mark.parametrize("who", ["xuan", "mai"])
async def test_learners_and_mentors_get_no_link(world: World, who: str) -> None:
    with pytest.raises(Forbidden, match="forbidden-report"):
        await world.link(who)
    async with world.sessions() as session:
        assert (await session.exec(select(DashboardLogin))).all() == []


@pytest.mark.parametrize("who", ["an", "ha", "dat"])
async def test_organisers_and_admins_sign_in_with_their_link_once(world: World, who: str) -> None:
    token = await world.link(who)
    async with world.client() as client:
        for _ in range(2):  # a link preview or a scanner fetching it does not use it up
            page = await client.get(f"/dashboard/login/{token}")
            assert page.status_code == 200
            assert 'method="post"' in page.text and "Đăng nhập" in page.text
        answer = await client.post(f"/dashboard/login/{token}")
        assert (answer.status_code, answer.headers["location"]) == (303, "/dashboard")
        assert (await client.get("/dashboard")).status_code == 200

        again = await world.client().post(f"/dashboard/login/{token}")
        assert again.status_code == 403 and USED_UP in again.text
        assert USED_UP in (await client.get(f"/dashboard/login/{token}")).text
    assert await audit_actions(world, who) == [
        ("dashboard.link", "chat"),
        ("dashboard.login", "web"),
        ("dashboard.view", "web"),
    ]


async def test_only_the_hash_of_the_link_and_of_the_cookie_is_stored(world: World) -> None:
    token = await world.link("an")
    async with world.client() as client:
        answer = await client.post(f"/dashboard/login/{token}")
        cookie = answer.cookies[COOKIE]
    async with world.sessions() as session:
        (login,) = (await session.exec(select(DashboardLogin))).all()
        (signed,) = (await session.exec(select(DashboardSession))).all()
    assert login.token_hash == dashboard.digest(token) != token
    assert signed.id_hash == dashboard.digest(cookie) != cookie
    assert (login.used_at, signed.learner_id) == (world.clock.now, world.id("an"))


async def test_an_expired_link_is_refused(world: World) -> None:
    token = await world.link("an")
    world.clock.advance(minutes=10)
    async with world.client() as client:
        assert (await client.get(f"/dashboard/login/{token}")).status_code == 403
        answer = await client.post(f"/dashboard/login/{token}")
        assert answer.status_code == 403 and USED_UP in answer.text
        assert COOKIE not in answer.cookies


async def test_a_wrong_link_is_refused(world: World) -> None:
    async with world.client() as client:
        answer = await client.post("/dashboard/login/not-a-token")
        assert answer.status_code == 403 and USED_UP in answer.text


async def test_a_link_of_another_person_is_refused_where_someone_is_signed_in(
    world: World,
) -> None:
    async with world.signed_in("an") as client:
        other = await world.link("ha")
        answer = await client.post(f"/dashboard/login/{other}")
        assert answer.status_code == 403
        assert "đang đăng nhập bằng tài khoản của người khác" in answer.text
        page = await client.get("/dashboard")
        assert page.status_code == 200 and "Tổng quan: Đơn vị A" in page.text  # still An


async def test_the_link_of_someone_whose_role_was_revoked_is_refused(world: World) -> None:
    token = await world.link("ha")
    async with world.sessions() as session, session.begin():
        grants = select(RoleGrant).where(RoleGrant.learner_id == world.id("ha"))
        for g in (await session.exec(grants)).all():
            g.revoked_at = world.clock.now
            session.add(g)
    answer = await world.client().post(f"/dashboard/login/{token}")
    assert answer.status_code == 403


async def test_the_cookie_is_httponly_samesite_lax_and_secure_off_localhost(
    world: World, settings: Settings
) -> None:
    token = await world.link("an")
    answer = await world.client().post(f"/dashboard/login/{token}")
    flags = answer.headers["set-cookie"].lower()
    assert "httponly" in flags and "samesite=lax" in flags and "path=/dashboard" in flags
    assert "secure" not in flags  # http://127.0.0.1: the development address

    public = settings.model_copy(update={"public_url": "https://hocvuso.example.vn"})
    world.app = make_app(public, world.sessions, world.clock)
    token = await world.link("an")
    answer = await world.client().post(f"/dashboard/login/{token}")
    assert "secure" in answer.headers["set-cookie"].lower()


async def test_a_session_ends_after_30_idle_minutes(world: World) -> None:
    async with world.signed_in("an") as client:
        world.clock.advance(minutes=29)
        assert (await client.get("/dashboard")).status_code == 200
        world.clock.advance(minutes=29)  # 29 minutes after the last request: still on
        assert (await client.get("/dashboard")).status_code == 200
        world.clock.advance(minutes=30)
        answer = await client.get("/dashboard")
        assert answer.status_code == 401 and SIGNED_OUT in answer.text


async def test_a_session_ends_8_hours_after_sign_in_however_busy(world: World) -> None:
    async with world.signed_in("an") as client:
        for _ in range(23):
            world.clock.advance(minutes=20)
            assert (await client.get("/dashboard")).status_code == 200
        world.clock.advance(minutes=20)  # 8 hours
        assert (await client.get("/dashboard")).status_code == 401


async def test_a_revoked_role_ends_the_session_at_the_next_request(world: World) -> None:
    async with world.signed_in("ha") as client:
        async with world.sessions() as session, session.begin():
            actor = await perm.load_actor(session, world.id("dat"))
            from hocvuso.organising import roles

            await roles.do_revoke(
                session, actor, world.id("ha"), Role.ORGANISER, world.units["A2"], world.clock.now
            )
        assert (await client.get("/dashboard")).status_code == 401


async def test_logout_needs_the_csrf_token_and_ends_the_session(world: World) -> None:
    async with world.signed_in("an") as client:
        page = await client.get("/dashboard")
        csrf = page.text.split('name="csrf" value="')[1].split('"')[0]
        assert len(csrf) >= 32

        missing = await client.post("/dashboard/logout")
        wrong = await client.post("/dashboard/logout", data={"csrf": "x" * len(csrf)})
        for refused in (missing, wrong):
            assert refused.status_code == 403 and "mã bảo vệ" in refused.text
        assert (await client.get("/dashboard")).status_code == 200  # still signed in

        answer = await client.post("/dashboard/logout", data={"csrf": csrf})
        assert answer.status_code == 200 and "Anh/chị đã đăng xuất" in answer.text
        assert COOKIE not in client.cookies
    async with world.sessions() as session:
        (signed,) = (await session.exec(select(DashboardSession))).all()
    assert signed.revoked_at == world.clock.now
    # The old cookie no longer opens anything, even if it was kept.
    stale = world.client()
    stale.cookies.set(COOKIE, answer.request.headers["cookie"].split(f"{COOKIE}=")[1].split(";")[0])
    assert (await stale.get("/dashboard")).status_code == 401
    assert ("dashboard.logout", "web") in await audit_actions(world, "an")


async def test_the_sweep_deletes_links_and_sessions_a_day_after_they_ended(world: World) -> None:
    await world.link("an")
    async with world.signed_in("ha"):
        pass
    world.clock.advance(hours=8, minutes=1)
    async with world.sessions() as session, session.begin():
        assert await dashboard.sweep_expired(session, world.clock.now) == 0
    world.clock.advance(days=1)
    async with world.sessions() as session, session.begin():
        assert await dashboard.sweep_expired(session, world.clock.now) == 3
    async with world.sessions() as session:
        assert (await session.exec(select(DashboardLogin))).all() == []
        assert (await session.exec(select(DashboardSession))).all() == []


async def test_pages_without_a_session_are_refused(world: World) -> None:
    async with world.client() as client:
        for path in ("/dashboard", "/dashboard/units/A", "/dashboard/overview.csv"):
            answer = await client.get(path)
            assert answer.status_code == 401 and SIGNED_OUT in answer.text, path
