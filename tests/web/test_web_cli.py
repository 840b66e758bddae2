"""The CLI of the web issues: member add --password-env, archive/restore, serve and its rescore."""

from __future__ import annotations

import json
import shutil
import threading
import time
from pathlib import Path

import pytest
import uvicorn
from tests.test_cli import run

from tiegraph.services.activity.daily_rescore import last_rescore
from tiegraph.services.org.auth import verify_sign_in
from tiegraph.services.org.orgs import resolve_org
from tiegraph.store import open_store


def test_member_password_from_the_environment(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    db = f"sqlite:///{tmp_path}/cli.db"
    monkeypatch.setenv("NEW_PASSWORD", "s3cret-enough")
    code, out, _ = run(
        capsys,
        "member",
        "add",
        "--email",
        "ana@us.example",
        "--name",
        "Ana Lima",
        "--password-env",
        "NEW_PASSWORD",
        "--db",
        db,
    )
    assert code == 0 and "s3cret" not in out
    store = open_store(db)
    assert verify_sign_in(store, "ana@us.example", "s3cret-enough") is not None
    store.dispose()
    code, _, err = run(
        capsys,
        "member",
        "add",
        "--email",
        "bo@us.example",
        "--name",
        "Bo",
        "--password-env",
        "UNSET_VARIABLE",
        "--db",
        db,
    )
    assert code == 2 and "UNSET_VARIABLE" in err


def test_archive_and_restore(
    capsys: pytest.CaptureFixture[str], built_db: Path, tmp_path: Path
) -> None:
    db_path = tmp_path / "cli-copy.db"
    shutil.copy(built_db, db_path)
    db = f"sqlite:///{db_path}"
    member = ("--member", "ana@us.example", "--db", db)
    code, out, _ = run(capsys, "contacts", "list", *member, "--json")
    contact_id = str(json.loads(out)["contacts"][0]["id"])
    assert run(capsys, "contacts", "archive", contact_id, *member)[0] == 0
    code, _, err = run(capsys, "contacts", "archive", contact_id, *member)
    assert code == 2 and "already archived" in err
    assert run(capsys, "contacts", "restore", contact_id, *member)[0] == 0
    code, out, _ = run(capsys, "person", "archive", "jose@globex.example", "--db", db)
    assert code == 0 and "archived" in out
    code, out, _ = run(capsys, "who-knows", "jose@globex.example", "--db", db, "--json")
    assert '"knowers": []' in out
    assert run(capsys, "person", "restore", "jose@globex.example", "--db", db)[0] == 0
    code, _, err = run(capsys, "person", "archive", "nobody@x.example", "--db", db)
    assert code == 2 and "no directory person" in err


def test_serve_rescores_in_the_background(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    built_db: Path,
    tmp_path: Path,
) -> None:
    """`serve` runs the daily rescore beside uvicorn, and stops it when uvicorn stops."""
    db_path = tmp_path / "serve.db"
    shutil.copy(built_db, db_path)
    store = open_store(f"sqlite:///{db_path}")
    seen: list[str] = []

    def fake_run(app: object, **options: object) -> None:  # uvicorn would serve here
        seen.extend(t.name for t in threading.enumerate())
        deadline = time.monotonic() + 20
        while last_rescore(store, resolve_org(store)) is None and time.monotonic() < deadline:
            time.sleep(0.05)

    monkeypatch.setattr(uvicorn, "run", fake_run)
    code, _, err = run(capsys, "serve", "--db", f"sqlite:///{db_path}")
    assert code == 0 and "http://localhost:8000/" in err
    assert "tiegraph-rescore" in seen
    assert "tiegraph-rescore" not in {t.name for t in threading.enumerate()}
    assert last_rescore(store, resolve_org(store)) is not None
    store.dispose()


def test_serve_with_two_workers_shares_sessions(built_db: Path, tmp_path: Path) -> None:
    """`tiegraph serve --workers 2`: a real server of two processes; a session signed by one
    worker is read by the other (one secret drawn at start for both), over new connections."""
    import os
    import subprocess
    import sys
    import urllib.parse
    import urllib.request
    from http.cookiejar import CookieJar

    from tests.servers import free_port
    from tests.web.conftest import PASSWORD

    db_path = tmp_path / "workers.db"
    shutil.copy(built_db, db_path)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "TIEGRAPH_SECRET_KEY"}
    command = [sys.executable, "-m", "tiegraph", "serve", "--workers", "2", "--port", str(port)]
    server = subprocess.Popen(
        [*command, "--db", f"sqlite:///{db_path}"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{base}/static/app.css", timeout=2)
                break
            except OSError:
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.2)
        jar = CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        page = opener.open(f"{base}/sign-in").read().decode()
        marker = 'name="csrf_token" value="'
        token = page[page.index(marker) + len(marker) :].split('"', 1)[0]
        form = {"email": "ana@us.example", "password": PASSWORD, "csrf_token": token}
        opener.open(f"{base}/sign-in", data=urllib.parse.urlencode(form).encode())
        # urllib opens a new connection per request, which either worker may accept: with two
        # secrets, about half of these would land on the sign-in page.
        for _ in range(30):
            answer = opener.open(f"{base}/gallery")
            assert answer.status == 200 and "Sign out" in answer.read().decode()
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert server.returncode is not None
