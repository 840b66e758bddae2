"""Pages: the contact gallery (columns, sort, filter, search, pages) and archive/restore."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from tiegraph.errors import InvalidInputError
from tiegraph.services import lists
from tiegraph.services.contacts import archive, gallery
from tiegraph.services.contacts import properties as custom_properties
from tiegraph.web.export import csv_text
from tiegraph.web.pagination import PathId
from tiegraph.web.security import PageViewer, local_path, store_of
from tiegraph.web.templating import flash, render

router = APIRouter()
Back = Annotated[str, Form(max_length=2000)]


def _back(target: str, default: str = "/gallery") -> RedirectResponse:
    return RedirectResponse(local_path(target, default), status_code=303)


def _filters(request: Request) -> dict[int, str]:
    """Property filters from the query: f<property id>=text."""
    found = {}
    for key, value in request.query_params.items():
        if key.startswith("f") and key[1:].isdigit() and value.strip():
            found[int(key[1:])] = value.strip()[:200]
    return found


@router.get("/gallery")
def gallery_page(
    request: Request,
    viewer: PageViewer,
    q: Annotated[str, Query(max_length=200)] = "",
    status: Annotated[str, Query(max_length=20)] = "",
    scope: Annotated[str, Query(max_length=20)] = "all",
    archived: bool = False,
    strength: Annotated[str, Query(max_length=20)] = "",
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> Response:
    store = store_of(request)
    columns = gallery.get_columns(store, viewer.org, viewer.member)
    props = custom_properties.list_properties(store, viewer.org)
    page = gallery.gallery_rows(
        store,
        viewer.org,
        viewer.member,
        search=q,
        status=status or None,
        scope=scope,
        filters=_filters(request),
        sort=columns.sort,
        descending=columns.descending,
        archived=archived,
        strength=strength or None,
        limit=columns.page_size,
        offset=offset,
    )
    names = _names(props)
    context = {
        "page": page,
        "columns": columns,
        "names": names,
        "props": props,
        "kinds": custom_properties.KINDS,
        "filters": _filters(request),
        "q": q,
        "status": status,
        "scope": scope,
        "archived": archived,
        "lists": lists.lists_to_change(store, viewer.org, viewer.member),
        "strength": strength,
    }
    return render(request, "gallery.html", context)


EXPORT_ROWS = 10_000


@router.get("/gallery/export.csv")
def export_gallery(
    request: Request,
    viewer: PageViewer,
    q: Annotated[str, Query(max_length=200)] = "",
    status: Annotated[str, Query(max_length=20)] = "",
    scope: Annotated[str, Query(max_length=20)] = "all",
    archived: bool = False,
    strength: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    """The gallery as the viewer sees it (shown columns, at most 10,000 rows) as CSV."""
    store = store_of(request)
    columns = gallery.get_columns(store, viewer.org, viewer.member)
    names = _names(custom_properties.list_properties(store, viewer.org))
    rows: list[list[str]] = []
    offset = 0
    while offset < EXPORT_ROWS:
        page = gallery.gallery_rows(
            store,
            viewer.org,
            viewer.member,
            search=q,
            status=status or None,
            scope=scope,
            filters=_filters(request),
            sort=columns.sort,
            descending=columns.descending,
            archived=archived,
            strength=strength or None,
            limit=200,
            offset=offset,
        )
        rows.extend([_cell(row, key) for key in columns.shown] for row in page.items)
        if page.next_offset is None:
            break
        offset = page.next_offset
    body = csv_text([names[k] for k in columns.shown], rows)
    headers = {"Content-Disposition": 'attachment; filename="contacts.csv"'}
    return Response(body, media_type="text/csv; charset=utf-8", headers=headers)


COLUMN_NAMES = {
    "name": "Name",
    "company": "Company",
    "title": "Title",
    "status": "Status",
    "email": "Email",
    "colleague": "Strongest colleague",
    "score": "Strength",
    "last_contact": "Last contact",
    "knowers": "Colleagues who know them",
}


def _names(props: list[custom_properties.Property]) -> dict[str, str]:
    return COLUMN_NAMES | {f"prop:{p.id}": p.name for p in props}


def _cell(row: gallery.GalleryRow, key: str) -> str:
    if key.startswith("prop:"):
        return row.values.get(int(key[5:]), "")
    ties = row.ties
    if key == "colleague":
        return ties.colleague_name or ""
    if key == "score":
        return f"{ties.label} {ties.score}" if ties.score is not None else ""
    if key == "last_contact":
        return ties.last_contact.date().isoformat() if ties.last_contact else ""
    if key == "knowers":
        return str(ties.knowers)
    return str(getattr(row, key))


@router.post("/gallery/columns")
def save_columns(
    request: Request,
    viewer: PageViewer,
    back: Back = "/gallery",
    hide: Annotated[str, Form(max_length=40)] = "",
    show: Annotated[str, Form(max_length=40)] = "",
    move: Annotated[str, Form(max_length=40)] = "",
    step: Annotated[int, Form(ge=-1, le=1)] = 0,
    sort: Annotated[str, Form(max_length=40)] = "",
    descending: Annotated[bool, Form()] = False,
    page_size: Annotated[int, Form(ge=0, le=200)] = 0,
) -> RedirectResponse:
    """One change of the viewer's saved layout: hide, show, move, sort or page size."""
    store = store_of(request)
    columns = gallery.get_columns(store, viewer.org, viewer.member)
    if hide:
        columns = replace(columns, hidden=(*columns.hidden, hide))
    if show:
        columns = replace(columns, hidden=tuple(c for c in columns.hidden if c != show))
    if move and step:
        columns = gallery.move_column(columns, move, step)
    if sort:
        columns = replace(columns, sort=sort, descending=descending)
    if page_size:
        columns = replace(columns, page_size=page_size)
    gallery.save_columns(store, viewer.org, viewer.member, columns)
    return _back(back)


@router.post("/properties")
def create_property(
    request: Request,
    viewer: PageViewer,
    name: Annotated[str, Form(max_length=200)],
    kind: Annotated[str, Form(max_length=20)] = "text",
    choices: Annotated[str, Form(max_length=2000)] = "",
) -> RedirectResponse:
    created = custom_properties.create_property(
        store_of(request),
        viewer.org,
        name=name,
        kind=kind,
        choices=choices.split(","),
        created_by=viewer.member,
    )
    flash(request, f"Added the column {created.name}.")
    return _back("/gallery")


@router.post("/properties/{property_id}/delete")
def delete_property(request: Request, viewer: PageViewer, property_id: PathId) -> RedirectResponse:
    custom_properties.archive_property(store_of(request), viewer.org, property_id, viewer.member)
    flash(request, "Column removed (archived: its values are kept).")
    return _back("/gallery")


@router.post("/contacts/{contact_id}/values")
async def set_values(request: Request, viewer: PageViewer, contact_id: PathId) -> RedirectResponse:
    """Every custom value of one of the viewer's contacts, from its page's form (p<id>=value)."""
    form = await request.form()
    store = store_of(request)
    errors = []
    for key, value in form.items():
        if key.startswith("p") and key[1:].isdigit() and isinstance(value, str):
            try:
                custom_properties.set_value(
                    store, viewer.org, viewer.member, contact_id, int(key[1:]), value
                )
            except InvalidInputError as exc:
                errors.append(str(exc))
    flash(request, "; ".join(errors) or "Saved.", "error" if errors else "ok")
    return _back(f"/contacts/{contact_id}")


@router.post("/contacts/{contact_id}/archive")
def archive_contact(
    request: Request, viewer: PageViewer, contact_id: PathId, back: Back = "/gallery"
) -> RedirectResponse:
    archive.set_contact_archived(
        store_of(request), viewer.org, viewer.member, contact_id, archived=True
    )
    flash(request, "Contact archived: find it under Archived to restore it.")
    return _back(back)


@router.post("/contacts/{contact_id}/restore")
def restore_contact(
    request: Request, viewer: PageViewer, contact_id: PathId, back: Back = "/gallery"
) -> RedirectResponse:
    archive.set_contact_archived(
        store_of(request), viewer.org, viewer.member, contact_id, archived=False
    )
    flash(request, "Contact restored.")
    return _back(back)


@router.post("/persons/{person_id}/archive")
def archive_person(
    request: Request, viewer: PageViewer, person_id: PathId, back: Back = "/gallery"
) -> RedirectResponse:
    archive.set_person_archived(
        store_of(request), viewer.org, person_id, archived=True, viewer=viewer.member
    )
    flash(request, "Person archived: find them under Archived to restore them.")
    return _back(back)


@router.post("/persons/{person_id}/restore")
def restore_person(
    request: Request, viewer: PageViewer, person_id: PathId, back: Back = "/gallery"
) -> RedirectResponse:
    archive.set_person_archived(
        store_of(request), viewer.org, person_id, archived=False, viewer=viewer.member
    )
    flash(request, "Person restored.")
    return _back(back)
