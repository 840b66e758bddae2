"""The CLI of this issue: member add --password-env, archive/restore of contacts and persons."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from tests.test_cli import run

from tiegraph.services.auth import verify_sign_in
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
