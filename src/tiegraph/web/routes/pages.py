"""The pages: signed-in by session cookie, every unsafe request checked for its CSRF token."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from tiegraph.web.routes import (
    pages_accounts,
    pages_auth,
    pages_connected,
    pages_gallery,
    pages_import,
    pages_intro_settings,
    pages_intros,
    pages_lists,
    pages_my_day,
    pages_people,
    pages_settings,
    pages_sso,
)
from tiegraph.web.security import check_csrf

# My day first: its "/" answers before pages_auth's older redirect of "/" to the gallery.
AREAS = (
    pages_my_day,
    pages_auth,
    pages_connected,
    pages_sso,
    pages_gallery,
    pages_people,
    pages_accounts,
    pages_intros,
    pages_lists,
    pages_import,
    pages_settings,
    pages_intro_settings,
)
router = APIRouter(include_in_schema=False, dependencies=[Depends(check_csrf)])
for area in AREAS:
    router.include_router(area.router)
