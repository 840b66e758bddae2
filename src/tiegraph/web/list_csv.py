"""What the list page and the lists endpoint share: a list as a CSV download."""

from __future__ import annotations

import re

from fastapi.responses import Response

from tiegraph.services import list_rows
from tiegraph.store import Store
from tiegraph.web.export import csv_text
from tiegraph.web.security import Viewer

CSV = "text/csv; charset=utf-8"


def list_csv_response(store: Store, viewer: Viewer, list_id: int) -> Response:
    """The rows with the list page's columns; every cell safe to open in a spreadsheet."""
    view = list_rows.show_list(store, viewer.org, list_id, viewer.member)
    body = csv_text(list_rows.EXPORT_HEADER, list_rows.export_rows(view))
    stem = re.sub(r"[^A-Za-z0-9]+", "-", view.person_list.name).strip("-").lower() or "list"
    disposition = f'attachment; filename="{stem}.csv"'
    return Response(body, media_type=CSV, headers={"Content-Disposition": disposition})
