"""The Jinja2 environment every page of the web app renders with.

``templates/base.html`` is the shared frame (Vietnamese first, English beside it). A feature with
its own templates (the dashboard) adds its folder with :func:`add_templates`; its pages extend
``base.html`` like these do.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import ChoiceLoader, FileSystemLoader

from hocvuso.content.cache import load_pack_cached
from hocvuso.content.loader import Pack

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"

templates = Jinja2Templates(directory=TEMPLATES)


async def pack_of(request: Request) -> Pack:
    """The content pack: the app's (``app.state.pack``), or the configured one read once (from
    the cache when unchanged), in a thread so that the other requests go on meanwhile."""
    pack: Pack | None = getattr(request.app.state, "pack", None)
    if pack is None:
        settings = request.app.state.settings
        pack = await asyncio.to_thread(
            load_pack_cached, settings.content_path, Path(settings.data_dir) / "cache"
        )
        request.app.state.pack = pack
    return pack


def add_templates(folder: Path) -> None:
    """Look up templates in ``folder`` too (after the shared ones)."""
    loader = templates.env.loader
    loaders = list(loader.loaders) if isinstance(loader, ChoiceLoader) else [loader]
    templates.env.loader = ChoiceLoader([*(x for x in loaders if x), FileSystemLoader(folder)])


def render(
    request: Request, name: str, context: dict[str, Any], status_code: int = 200
) -> HTMLResponse:
    settings = request.app.state.settings
    return templates.TemplateResponse(
        request,
        name,
        {"issuer_name": settings.issuer_name, **context},
        status_code=status_code,
    )


def message(
    request: Request,
    status_code: int,
    heading: tuple[str, str],
    text: tuple[str, str],
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    """A page that says what went wrong, Vietnamese then English."""
    response = render(
        request,
        "message.html",
        {
            "heading_vi": heading[0],
            "heading_en": heading[1],
            "text_vi": text[0],
            "text_en": text[1],
        },
        status_code,
    )
    response.headers.update(headers or {})
    return response
