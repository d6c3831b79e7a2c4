"""``hocvuso web``: the public certificate check (and the organiser dashboard) over HTTP.

The app is served by uvicorn without its access log: a request line names the certificate code
checked, and a code leads to a person's name. Behind a reverse proxy set
``HOCVUSO_WEB_FORWARDED_ALLOW_IPS`` to its address so the rate limit counts the real clients
(docs/web.md).
"""

from __future__ import annotations

import asyncio
import logging

import typer

from hocvuso.config import get_settings


def web_command(
    host: str = typer.Option(None, "--host", help="Address to listen on (HOCVUSO_WEB_HOST)."),
    port: int = typer.Option(
        None, "--port", min=1, max=65535, help="Port to listen on (HOCVUSO_WEB_PORT)."
    ),
    forwarded_allow_ips: str = typer.Option(
        None,
        "--forwarded-allow-ips",
        help="Reverse proxies whose X-Forwarded-For/-Proto are trusted "
        "(HOCVUSO_WEB_FORWARDED_ALLOW_IPS, default 127.0.0.1).",
    ),
) -> None:
    """Serve the public certificate check pages (and the organiser dashboard)."""
    settings = get_settings()
    logging.basicConfig(
        level=settings.log_level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    proxies = forwarded_allow_ips or settings.web_forwarded_allow_ips
    asyncio.run(serve_web(host or settings.web_host, port or settings.web_port, proxies))


async def serve_web(host: str, port: int, forwarded_allow_ips: str) -> None:
    import uvicorn

    from hocvuso.credentials.keys import load_keyring
    from hocvuso.runtime import ensure_migrated
    from hocvuso.web.app import create_app

    settings = get_settings()
    await ensure_migrated(settings)
    app = create_app(settings, ring=load_keyring(settings))
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        access_log=False,  # request lines carry certificate codes: see the module's text
        proxy_headers=True,
        forwarded_allow_ips=forwarded_allow_ips,
        server_header=False,
        log_config=None,  # the logging configured above, not uvicorn's own
        lifespan="on",
    )
    server = uvicorn.Server(config)
    logging.getLogger(__name__).info("hocvuso web on http://%s:%d", host, port)
    await server.serve()
