"""The REST API under /api/v1: token auth, one error envelope, a page on every list, and its
interactive documentation at /api/v1/docs."""

from __future__ import annotations

from fastapi import APIRouter

from tiegraph.web.errors import ERROR_RESPONSES
from tiegraph.web.routes import (
    api_account,
    api_contacts,
    api_docs,
    api_insights,
    api_intros,
    api_lists,
    api_me,
    api_people,
)

router = APIRouter(prefix="/api/v1", responses=ERROR_RESPONSES)
router.include_router(api_people.router)
router.include_router(api_contacts.router)
router.include_router(api_account.router)
router.include_router(api_insights.router)
router.include_router(api_intros.router)
router.include_router(api_lists.router)
router.include_router(api_me.router)
router.include_router(api_docs.router)
