"""The pages: signed-in by session cookie, every unsafe request checked for its CSRF token."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from tiegraph.web.routes import (
    pages_auth,
    pages_gallery,
    pages_import,
    pages_later,
    pages_people,
    pages_settings,
)
from tiegraph.web.security import check_csrf

AREAS = (pages_auth, pages_gallery, pages_people, pages_import, pages_settings, pages_later)
router = APIRouter(include_in_schema=False, dependencies=[Depends(check_csrf)])
for area in AREAS:
    router.include_router(area.router)
