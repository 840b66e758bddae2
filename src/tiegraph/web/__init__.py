"""Web app and REST API (FastAPI); thin, calls services only."""
