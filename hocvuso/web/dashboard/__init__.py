"""The organisers' dashboard: ``app.include_router(hocvuso.web.dashboard.router)``.

See :mod:`hocvuso.web.dashboard.routes` for what the app must provide (``app.state``).
"""

from hocvuso.web.dashboard.routes import router

__all__ = ["router"]
