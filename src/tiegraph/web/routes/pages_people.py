"""Pages: a person's profile (who knows them, intro paths, conversation starters, get
introduced), the full who-knows list, a contact, and links to a person by email."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response

from tiegraph.errors import NotFoundError
from tiegraph.services import lists
from tiegraph.services.contacts import properties as custom_properties
from tiegraph.services.contacts.details import get_contact
from tiegraph.services.directory import profiles
from tiegraph.services.directory.lookup import lookup_person
from tiegraph.services.directory.profiles import PersonProfile
from tiegraph.services.insights import who_knows
from tiegraph.services.insights.paths import IntroPaths, intro_paths
from tiegraph.services.intros import requests as intro
from tiegraph.web.pagination import PathId
from tiegraph.web.paths_cache import PathsCache
from tiegraph.web.security import PageViewer, Viewer, store_of
from tiegraph.web.templating import render

router = APIRouter()
PATHS_SHOWN = 5


def intro_context(request: Request, viewer: Viewer, profile: PersonProfile) -> dict[str, Any]:
    """What a "Get introduced" button needs: the person, and the viewer's requests about them
    (the standing one per introducer, open or introduced, replaces the button)."""
    mine = [
        r
        for r in intro.list_intros(
            store_of(request), viewer.org, viewer.member, person_id=profile.summary.id
        )
        if r.requester_id == viewer.member.id
    ]
    return {
        "person_id": profile.summary.id,
        "email": profile.emails[0] if profile.emails and not profile.summary.archived else "",
        "open": {r.introducer_email: r for r in reversed(mine) if r.status in intro.STANDING},
        "requests": mine,
    }


def _ways_in(request: Request, viewer: Viewer, profile: PersonProfile) -> IntroPaths | None:
    if not profile.emails or profile.summary.archived:
        return None
    store = store_of(request)

    def compute() -> IntroPaths | None:
        try:
            return intro_paths(
                store,
                viewer.org,
                profile.emails[0],
                requester=viewer.member,
                viewer=viewer.member,
                limit=PATHS_SHOWN,
            )
        except NotFoundError:  # archived meanwhile
            return None

    cache: PathsCache = request.app.state.paths_cache
    return cache.get(store, viewer.org, viewer.member.id, profile.summary.id, compute)


@router.get("/persons/{person_id}")
def person_page(request: Request, viewer: PageViewer, person_id: PathId) -> Response:
    store = store_of(request)
    profile = profiles.get_person(store, viewer.org, person_id, viewer=viewer.member)
    tile, knower_count = who_knows.knowers_tile(store, viewer.org, person_id, viewer=viewer.member)
    context = {
        "profile": profile,
        "tile": tile,
        "knower_count": knower_count,
        "ways": _ways_in(request, viewer, profile),
        "ask": intro_context(request, viewer, profile),
        "lists": lists.lists_to_change(store, viewer.org, viewer.member),
    }
    return render(request, "person.html", context)


@router.get("/persons/{person_id}/who-knows")
def person_knowers_page(request: Request, viewer: PageViewer, person_id: PathId) -> Response:
    store = store_of(request)
    profile = profiles.get_person(store, viewer.org, person_id, viewer=viewer.member)
    knowers = who_knows.knowers_of_person(
        store, viewer.org, person_id, viewer=viewer.member, limit=0
    )
    context = {
        "profile": profile,
        "knowers": knowers,
        "ask": intro_context(request, viewer, profile),
    }
    return render(request, "who_knows.html", context)


@router.get("/find-person")
def find_person(
    request: Request,
    viewer: PageViewer,
    email: Annotated[str, Query(min_length=1, max_length=320)],
) -> RedirectResponse:
    """A directory person's page by email (rows that name people by email link here)."""
    found = lookup_person(store_of(request), viewer.org, email, viewer.member)
    return RedirectResponse(f"/persons/{found.id}", status_code=303)


@router.get("/contacts/{contact_id}")
def contact_page(request: Request, viewer: PageViewer, contact_id: PathId) -> Response:
    store = store_of(request)
    details = get_contact(store, viewer.org, viewer.member, contact_id)
    props = custom_properties.list_properties(store, viewer.org)
    return render(request, "contact.html", {"contact": details, "props": props})
