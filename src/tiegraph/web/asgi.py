"""The app for `tiegraph serve --workers N`: each uvicorn worker process builds its own.

The serving command puts the store URL and one session secret for all workers in the
environment, and recovers interrupted imports once itself before the workers start.
"""

from __future__ import annotations

from dataclasses import replace

from fastapi import FastAPI

from tiegraph.store import open_store
from tiegraph.web.app import create_app
from tiegraph.web.settings import WebSettings
from tiegraph.web.warm import warm


def app_from_env() -> FastAPI:
    """A worker's app over $TIEGRAPH_DATABASE_URL with the settings of $TIEGRAPH_* variables,
    warmed for its first view (web/warm.py) before it serves."""
    store = open_store()
    app = create_app(store, replace(WebSettings.from_env(), warm=True), recover_imports=False)
    warm(store)
    return app
