"""API: the caller's own day (what the web app's landing page shows)."""

from __future__ import annotations

from fastapi import APIRouter, Request

from tiegraph.services.insights.my_day import my_day
from tiegraph.web.schemas.my_day import MyDayOut, my_day_out
from tiegraph.web.security import ApiViewer, store_of

router = APIRouter()


@router.get("/me/day", operation_id="my_day", tags=["insights"])
def get_my_day(request: Request, viewer: ApiViewer) -> MyDayOut:
    """Warm paths into your target accounts and list rows, intros asked of you and waiting,
    your nurture suggestions, and people new at your target accounts."""
    return my_day_out(my_day(store_of(request), viewer.org, viewer.member))
