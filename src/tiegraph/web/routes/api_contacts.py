"""API: the contact gallery, custom properties, the caller's contacts and possible matches."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from tiegraph.errors import NotFoundError
from tiegraph.services.contacts import archive, gallery, network
from tiegraph.services.contacts import matches as matching
from tiegraph.services.contacts import properties as custom_properties
from tiegraph.web.pagination import Limit, Offset, PageOut, PathId, page_out, window
from tiegraph.web.schemas.common import Done
from tiegraph.web.schemas.contacts import (
    ColumnsIn,
    ColumnsOut,
    ContactOut,
    GalleryRowOut,
    MatchOut,
    PropertyIn,
    PropertyOut,
    PublishedOut,
    ValueIn,
    ValueOut,
    columns_out,
    contact_out,
    gallery_row_out,
    match_out,
    property_out,
)
from tiegraph.web.security import ApiViewer, store_of

router = APIRouter()


@router.get("/gallery", operation_id="list_gallery_rows", tags=["gallery"])
def gallery_rows(
    request: Request,
    viewer: ApiViewer,
    q: Annotated[str, Query(max_length=200)] = "",
    status: Annotated[str | None, Query(pattern="^(matched|possible|private|directory)$")] = None,
    scope: Annotated[str, Query(pattern="^(all|mine|directory)$")] = "all",
    sort: Annotated[str, Query(max_length=40)] = "name",
    descending: bool = False,
    archived: bool = False,
    label: Annotated[
        str | None,
        Query(pattern="^(strong|good|known)$", description="At least: strong, good, or known."),
    ] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> PageOut[GalleryRowOut]:
    """The gallery: your own contacts and the directory, searched, filtered and sorted."""
    page = gallery.gallery_rows(
        store_of(request),
        viewer.org,
        viewer.member,
        search=q,
        status=status,
        scope=scope,
        sort=sort,
        descending=descending,
        archived=archived,
        strength=label,
        limit=limit,
        offset=offset,
    )
    return page_out(request, page, gallery_row_out)


@router.get("/gallery/columns", operation_id="get_gallery_columns", tags=["gallery"])
def get_columns(request: Request, viewer: ApiViewer) -> ColumnsOut:
    """Your saved gallery layout: column order, hidden columns, sort, page size."""
    return columns_out(gallery.get_columns(store_of(request), viewer.org, viewer.member))


@router.put("/gallery/columns", operation_id="set_gallery_columns", tags=["gallery"])
def put_columns(request: Request, viewer: ApiViewer, columns: ColumnsIn) -> ColumnsOut:
    saved = gallery.save_columns(store_of(request), viewer.org, viewer.member, columns.columns())
    return columns_out(saved)


@router.get("/properties", operation_id="list_properties", tags=["gallery"])
def properties(
    request: Request, viewer: ApiViewer, limit: Limit = 50, offset: Offset = 0
) -> PageOut[PropertyOut]:
    """The organization's custom properties (gallery columns)."""
    found = custom_properties.list_properties(store_of(request), viewer.org)
    return page_out(request, window(found, limit, offset), property_out)


@router.post("/properties", operation_id="create_property", tags=["gallery"], status_code=201)
def create_property(request: Request, viewer: ApiViewer, prop: PropertyIn) -> PropertyOut:
    created = custom_properties.create_property(
        store_of(request),
        viewer.org,
        name=prop.name,
        kind=prop.kind,
        choices=prop.choices,
        created_by=viewer.member,
    )
    return property_out(created)


@router.delete("/properties/{property_id}", operation_id="archive_property", tags=["gallery"])
def delete_property(request: Request, viewer: ApiViewer, property_id: PathId) -> Done:
    """Remove a column from the gallery: archived, its values kept."""
    custom_properties.archive_property(store_of(request), viewer.org, property_id, viewer.member)
    return Done()


@router.put(
    "/contacts/{contact_id}/values/{property_id}",
    operation_id="set_contact_value",
    tags=["gallery"],
)
def set_value(
    request: Request, viewer: ApiViewer, contact_id: PathId, property_id: PathId, value: ValueIn
) -> ValueOut:
    """Set one custom value of one of your contacts (empty clears it)."""
    stored = custom_properties.set_value(
        store_of(request), viewer.org, viewer.member, contact_id, property_id, value.value
    )
    return ValueOut(contact_id=contact_id, property_id=property_id, value=stored)


@router.get("/contacts", operation_id="list_contacts", tags=["contacts"])
def contacts(
    request: Request,
    viewer: ApiViewer,
    status: Annotated[str | None, Query(pattern="^(matched|possible|private)$")] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> PageOut[ContactOut]:
    """Your own contacts (status private: your private network)."""
    found = network.list_contacts(store_of(request), viewer.org, viewer.member, status=status)
    return page_out(request, window(found, limit, offset), contact_out)


@router.get("/contacts/{contact_id}", operation_id="get_contact", tags=["contacts"])
def contact(request: Request, viewer: ApiViewer, contact_id: PathId) -> ContactOut:
    found = [
        c
        for c in network.list_contacts(store_of(request), viewer.org, viewer.member)
        if c.id == contact_id
    ]
    if not found:
        raise NotFoundError(f"no contact {contact_id} in your address book")
    return contact_out(found[0])


@router.post("/contacts/{contact_id}/archive", operation_id="archive_contact", tags=["contacts"])
def archive_contact(request: Request, viewer: ApiViewer, contact_id: PathId) -> Done:
    archive.set_contact_archived(
        store_of(request), viewer.org, viewer.member, contact_id, archived=True
    )
    return Done()


@router.post("/contacts/{contact_id}/restore", operation_id="restore_contact", tags=["contacts"])
def restore_contact(request: Request, viewer: ApiViewer, contact_id: PathId) -> Done:
    archive.set_contact_archived(
        store_of(request), viewer.org, viewer.member, contact_id, archived=False
    )
    return Done()


@router.post("/contacts/{contact_id}/publish", operation_id="publish_contact", tags=["contacts"])
def publish(request: Request, viewer: ApiViewer, contact_id: PathId) -> PublishedOut:
    """Add one of your private contacts to the organization's directory."""
    person_id = network.publish_contact(store_of(request), viewer.org, viewer.member, contact_id)
    return PublishedOut(contact_id=contact_id, person_id=person_id)


@router.get("/possible-matches", operation_id="list_possible_matches", tags=["contacts"])
def possible_matches(
    request: Request,
    viewer: ApiViewer,
    status: Annotated[str, Query(pattern="^(open|confirmed|rejected|superseded)$")] = "open",
    limit: Limit = 50,
    offset: Offset = 0,
) -> PageOut[MatchOut]:
    """Your contacts' possible matches to directory persons."""
    found = matching.list_possible_matches(
        store_of(request), viewer.org, viewer.member, status=status
    )
    return page_out(request, window(found, limit, offset), match_out)


@router.post(
    "/possible-matches/{match_id}/confirm", operation_id="confirm_possible_match", tags=["contacts"]
)
def confirm(request: Request, viewer: ApiViewer, match_id: PathId) -> MatchOut:
    decided = matching.decide_possible_match(
        store_of(request), viewer.org, viewer.member, match_id, confirm=True
    )
    return match_out(decided)


@router.post(
    "/possible-matches/{match_id}/reject", operation_id="reject_possible_match", tags=["contacts"]
)
def reject(request: Request, viewer: ApiViewer, match_id: PathId) -> MatchOut:
    decided = matching.decide_possible_match(
        store_of(request), viewer.org, viewer.member, match_id, confirm=False
    )
    return match_out(decided)
