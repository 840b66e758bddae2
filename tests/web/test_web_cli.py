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

from tiegraph.services.auth import verify_sign_in
from tiegraph.services.daily_rescore import last_rescore
from tiegraph.services.orgs import resolve_org
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
