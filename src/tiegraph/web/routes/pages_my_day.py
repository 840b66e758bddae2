"""Pages: My day, the landing page (warm paths, asks of me, nurture, new people)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from tiegraph.services.insights.my_day import NEW_DAYS, my_day
from tiegraph.services.intros.requests import list_intros
from tiegraph.web.intros import open_requests
from tiegraph.web.security import PageViewer, store_of
from tiegraph.web.templating import render

router = APIRouter()


@router.get("/")
def my_day_page(request: Request, viewer: PageViewer) -> Response:
    store = store_of(request)
    intros = list_intros(store, viewer.org, viewer.member)  # read once for both
    day = my_day(store, viewer.org, viewer.member, intros=intros)
    context = {
        "day": day,
        "open_requests": open_requests(store, viewer, intros),
        "new_days": NEW_DAYS,
    }
    return render(request, "my_day.html", context)
