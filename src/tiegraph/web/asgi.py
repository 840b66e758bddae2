"""The app for `tiegraph serve --workers N`: each uvicorn worker process builds its own.

The serving command puts the store URL and one session secret for all workers in the
environment, and recovers interrupted imports once itself before the workers start.
"""

from __future__ import annotations

from fastapi import FastAPI

from tiegraph.store import open_store
from tiegraph.web.app import create_app
from tiegraph.web.settings import WebSettings


def app_from_env() -> FastAPI:
    """A worker's app over $TIEGRAPH_DATABASE_URL with the settings of $TIEGRAPH_* variables."""
    return create_app(open_store(), WebSettings.from_env(), recover_imports=False)
