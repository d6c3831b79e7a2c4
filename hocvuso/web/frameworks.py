"""The pages the signed certificates point to: ``/frameworks/{slug}``.

Each certificate's ``alignment`` names the competence areas its exam covered, in the frameworks
of :data:`hocvuso.learning.certification.FRAMEWORKS`, with ``targetUrl`` =
``{public_url}/frameworks/{slug}#{area}``. This page answers that address: the framework, and
each competence area of the course (an anchor per area id) with the levels whose exams cover it.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from hocvuso.learning.certification import FRAMEWORKS, competences
from hocvuso.web import pages

router = APIRouter(tags=["frameworks"])


@router.get("/frameworks/{slug}", response_class=HTMLResponse)
async def framework(request: Request, slug: str) -> HTMLResponse:
    names = dict(FRAMEWORKS)
    if slug not in names:
        return pages.message(
            request,
            404,
            ("Không tìm thấy khung năng lực", "Framework not found"),
            (
                "Địa chỉ này không phải của một khung năng lực mà chứng nhận dẫn chiếu.",
                "No certificate refers to a framework at this address.",
            ),
        )
    pack = await pages.pack_of(request)
    levels = pack.levels
    covered: dict[str, list[int]] = {}
    for level in levels:
        for area in competences(pack, level):
            covered.setdefault(area.id, []).append(level)
    areas = [
        {
            "id": area,
            "vi": pack.area_title(area, "vi"),
            "en": pack.area_title(area, "en"),
            "levels": covered.get(area, []),
        }
        for area in pack.area_order
    ]
    title = pack.header.title
    return pages.render(
        request,
        "framework.html",
        {
            "slug": slug,
            "name": names[slug],
            "areas": areas,
            "course_vi": title.get("vi"),
            "course_en": title.get("en"),
            "level_title": lambda level: pack.level_title(level, "vi"),
        },
    )
