"""Assemble the web app: settings, keys and database on ``app.state``, the routers, the
security middleware and the static files.

``create_app`` does not migrate: ``hocvuso web`` (:mod:`hocvuso.cli.web`) does that first, as
``hocvuso run`` does, and tests hand in an engine on a migrated database.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.exceptions import HTTPException as StarletteHTTPException

from hocvuso.config import Settings
from hocvuso.credentials.issuer import issuer_from
from hocvuso.credentials.keys import KeyRing, load_keyring
from hocvuso.storage import db
from hocvuso.web import dashboard, frameworks, pages, verify
from hocvuso.web.security import SecurityMiddleware, make_web_limiter

TOO_LARGE = (
    "<!doctype html><html lang='vi'><meta charset='utf-8'><title>Tệp quá lớn</title>"
    "<h1>Tệp quá lớn <span lang='en'>(file too large)</span></h1>"
    "<p>Tệp chứng nhận của anh/chị vượt quá giới hạn {limit} KB. Anh/chị vui lòng tải lên tệp "
    "PDF hoặc JSON của chứng nhận (thường dưới 1 MB).</p>"
    "<p lang='en'>The file is over the {limit} KB limit. Please upload the certificate's PDF or "
    "JSON file (usually under 1 MB).</p><p><a href='/'>Quay lại · Back</a></p></html>"
)


def create_app(
    settings: Settings, *, ring: KeyRing | None = None, engine: AsyncEngine | None = None
) -> FastAPI:
    """The web app. Without ``engine`` it opens (and at shutdown closes) its own on
    ``settings``' database; without ``ring`` it loads the deployment's keys."""
    owned = engine is None
    database = engine if engine is not None else db.make_engine(settings.resolved_database_url)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        redis = getattr(_app.state.limiter, "redis", None)
        if redis is not None:
            await redis.aclose()
        if owned:
            await database.dispose()

    app = FastAPI(
        title="hocvuso",
        docs_url=None,  # a public site: no API explorer, no schema to probe
        redoc_url=None,
        openapi_url=None,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.ring = ring if ring is not None else load_keyring(settings)
    app.state.issuer = issuer_from(settings)
    app.state.engine = database
    app.state.sessions = db.make_sessionmaker(database)
    app.state.sessionmaker = app.state.sessions  # the dashboard's name for it
    app.state.limiter = make_web_limiter(settings)
    app.state.status_cache = {}
    app.state.check_memo = verify.CheckMemo()
    app.state.status_cache_seconds = verify.STATUS_CACHE_SECONDS

    app.mount("/static", StaticFiles(directory=pages.STATIC), name="static")
    _include_routers(app)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    too_large = TOO_LARGE.format(limit=settings.web_upload_max_bytes // 1000).encode()
    app.add_middleware(SecurityMiddleware, settings=settings, too_large=too_large)
    return app


#: Errors FastAPI raises itself (no route, wrong method), as a page a person can read.
HTTP_ERRORS = {
    404: (
        ("Không tìm thấy trang", "Page not found"),
        (
            "Địa chỉ này không có trên trang kiểm tra chứng nhận. Anh/chị có thể kiểm tra "
            "chứng nhận từ trang chủ.",
            "There is no such page. Certificates are checked from the home page.",
        ),
    ),
    405: (
        ("Không hỗ trợ thao tác này", "Method not allowed"),
        (
            "Trang này không nhận yêu cầu theo cách đó. Anh/chị vui lòng dùng các biểu mẫu trên "
            "trang chủ.",
            "This page does not take that kind of request. Please use the forms on the home page.",
        ),
    ),
}


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    known = HTTP_ERRORS.get(exc.status_code)
    if known is None:
        return JSONResponse({"detail": exc.detail}, exc.status_code, headers=exc.headers)
    heading, text = known
    headers = dict(exc.headers or {})
    return pages.message(request, exc.status_code, heading, text, headers=headers)


def _include_routers(app: FastAPI) -> None:
    """Every feature's router, in one place."""
    app.include_router(verify.router)
    # What the certificates' alignments point to (targetUrl).
    app.include_router(frameworks.router)
    # The organiser dashboard (issue 13), with its own templates and stylesheet.
    app.include_router(dashboard.router)
