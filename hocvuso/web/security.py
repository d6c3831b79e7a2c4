"""What every response carries and what every request may not exceed.

- Security headers on every response: a Content-Security-Policy that allows only this origin
  (no inline script or style, no framing), ``nosniff``, a strict referrer policy, and HSTS in
  production (where the app is reached over https through a reverse proxy).
- A per-client limit on certificate checks: Redis when configured (shared by every process),
  this process's own counter otherwise (:mod:`hocvuso.storage.state`). The client's address is
  hashed before it is counted: the limiter never holds an address.
- A limit on the size of a request body (uploads), enforced while it is read, so a client that
  sends no Content-Length cannot stream more either.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from hocvuso.config import Settings
from hocvuso.storage.state import MemoryRateLimiter, RateLimiter, RedisRateLimiter, redis_client

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

#: Only this origin: the stylesheet and any script are served by the app itself.
CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
HSTS = "max-age=31536000; includeSubDomains"
#: The window of the per-client limit (``HOCVUSO_WEB_RATE_LIMIT`` checks in it).
RATE_WINDOW = 60.0


def security_headers(settings: Settings) -> list[tuple[bytes, bytes]]:
    headers = [
        (b"content-security-policy", CSP.encode()),
        (b"x-content-type-options", b"nosniff"),
        (b"x-frame-options", b"DENY"),
        (b"referrer-policy", b"no-referrer"),
        (b"cross-origin-opener-policy", b"same-origin"),
        (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
    ]
    if settings.environment == "production":
        headers.append((b"strict-transport-security", HSTS.encode()))
    return headers


class BodyTooLarge(Exception):
    """The request body is over the limit (raised while it is being read)."""


class SecurityMiddleware:
    """Pure ASGI (no buffering): adds the headers, caps request bodies at ``max_body`` bytes."""

    def __init__(self, app: ASGIApp, settings: Settings, too_large: bytes) -> None:
        self.app = app
        self.headers = security_headers(settings)
        self.max_body = settings.web_upload_max_bytes
        self.too_large = too_large

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *self.headers]
            await send(message)

        declared = _content_length(scope)
        if declared is not None and declared > self.max_body:
            await self._refuse(send_with_headers)
            return
        guard = _BodyGuard(self.max_body, receive, send_with_headers, self._refuse)
        try:
            await self.app(scope, guard.receive, guard.send)
        except BodyTooLarge:
            if not guard.started:  # else the 413 is out already
                await self._refuse(send_with_headers)

    async def _refuse(self, send: Send) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [(b"content-type", b"text/html; charset=utf-8")],
            }
        )
        await send({"type": "http.response.body", "body": self.too_large})


class _BodyGuard:
    """Counts the body as the app reads it; once it is over the limit, whatever the app makes
    of that (FastAPI turns a failed form into a 400), the client is told it sent too much."""

    def __init__(
        self, limit: int, receive: Receive, send: Send, refuse: Callable[[Send], Awaitable[None]]
    ) -> None:
        self.limit, self._receive, self._send, self._refuse = limit, receive, send, refuse
        self.received, self.over, self.started = 0, False, False

    async def receive(self) -> Message:
        message = await self._receive()
        if message["type"] == "http.request":
            self.received += len(message.get("body", b""))
            if self.received > self.limit:
                self.over = True
                raise BodyTooLarge
        return message

    async def send(self, message: Message) -> None:
        starts = message["type"] == "http.response.start"
        if self.over:
            if starts and not self.started:
                self.started = True
                await self._refuse(self._send)
            return
        self.started = self.started or starts
        await self._send(message)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


def make_web_limiter(settings: Settings) -> RateLimiter:
    if settings.resolved_redis_url:
        return RedisRateLimiter(
            redis_client(settings.resolved_redis_url), settings.web_rate_limit, RATE_WINDOW
        )
    return MemoryRateLimiter(settings.web_rate_limit, RATE_WINDOW)


def client_subject(host: str | None, secret: bytes) -> str:
    """What the limiter counts for a client: a keyed hash of its address, never the address
    (an unkeyed hash of an IPv4 address is undone by trying all 2³² of them). Every process
    of a deployment shares the key (derived from the signing key), so Redis counts agree."""
    key = hmac.new(secret, b"hocvuso web rate limit", hashlib.sha256).digest()
    digest = hmac.new(key, (host or "unknown").encode(), hashlib.sha256).hexdigest()[:24]
    return f"web-verify:{digest}"
