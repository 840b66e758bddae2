"""The web app on both backends: the same sign-in, gallery, who-knows, import and sharing rules
on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from tests.web.conftest import LINKEDIN, api_client, build_orgs, settings, sign_in
from tests.web.test_web_pages import wait_for_import

from tiegraph.services.jobs.queue import uses_queue
from tiegraph.services.jobs.worker import WorkerSettings, WorkerThread
from tiegraph.store import Store
from tiegraph.web.app import create_app


def test_main_flows_on_each_backend(store: Store, tmp_path: Path) -> None:
    build_orgs(store, tmp_path)
    app = create_app(store, settings(tmp_path))
    # On PostgreSQL the upload goes to the job queue: a worker (here in a thread) runs it.
    worker = WorkerThread(store, WorkerSettings()).start() if uses_queue(store) else None
    try:
        ana = sign_in(app, "ana@us.example")
        assert "Zoe Anaprivate" in ana.client.get("/gallery?q=zoe").text
        assert "Bosecret" not in ana.client.get("/gallery?q=o").text
        api: TestClient = api_client(app, store, "ana@us.example")
        rows = api.get("/api/v1/gallery", params={"limit": 200, "sort": "company"}).json()
        names = {r["name"] for r in rows["items"]}
        assert "Zoe Anaprivate" in names and "Yuri Bosecret" not in names
        knowers = api.get("/api/v1/who-knows", params={"email": "robert.smith@acme.example"})
        assert [k["member_name"] for k in knowers.json()["knowers"]["items"]] == ["Ana Lima"]
        prop = api.post("/api/v1/properties", json={"name": "Size", "kind": "number"}).json()
        zoe = next(r for r in rows["items"] if r["name"] == "Zoe Anaprivate")
        api.put(f"/api/v1/contacts/{zoe['id']}/values/{prop['id']}", json={"value": "12"})
        by_size = api.get("/api/v1/gallery", params={"sort": f"prop:{prop['id']}"}).json()
        assert by_size["items"][0]["name"] == "Zoe Anaprivate"
        job = api.post(
            "/api/v1/imports", files={"files": ("Connections.csv", LINKEDIN.encode(), "text/csv")}
        ).json()
        done = wait_for_import(api, f"/api/v1/imports/{job['id']}")
        assert done["status"] == "done" and done["report"]["sources"][0]["unchanged"] == 2
        assert api.get("/api/v1/persons/987654321").status_code == 404
        dan = api_client(app, store, "dan@other.example", "other")
        assert dan.get("/api/v1/persons/1").status_code == 404
    finally:
        app.state.imports.shutdown(wait=True)
        if worker is not None:
            worker.stop()
