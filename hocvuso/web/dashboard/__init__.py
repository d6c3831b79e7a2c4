"""The organisers' dashboard: ``app.include_router(hocvuso.web.dashboard.router)``.

See :mod:`hocvuso.web.dashboard.routes` for what the app must provide (``app.state``) and
:mod:`hocvuso.web.dashboard.common` for what every page shares. Each page module has its own
router, included here.
"""

from fastapi import APIRouter

from hocvuso.web.dashboard import broadcasts, campaigns, insights, mentors, routes

router = APIRouter()
router.include_router(routes.router)
router.include_router(broadcasts.router)
router.include_router(campaigns.router)
router.include_router(mentors.router)
router.include_router(insights.router)

__all__ = ["router"]
