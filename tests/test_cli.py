"""The CLI of the foundation: init, org, member; user mistakes end in one line and exit code 2."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tiegraph.cli import main
from tiegraph.services.org.members import list_members
from tiegraph.services.org.orgs import resolve_org
from tiegraph.store import open_store


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        main(list(argv))
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_init_creates_store_with_default_org(
    capsys: pytest.CaptureFixture[str], db_url: str
) -> None:
    code, out, _ = run(capsys, "init", "--db", db_url)
    assert code == 0 and "default organization: default" in out
    code, out, _ = run(capsys, "init", "--db", db_url)  # again: an upgrade that does nothing
    assert code == 0


def test_org_and_member_round_trip(capsys: pytest.CaptureFixture[str], db_url: str) -> None:
    assert run(capsys, "org", "create", "acme", "--name", "Acme Sales", "--db", db_url)[0] == 0
    code, out, _ = run(
        capsys,
        "member",
        "add",
        "--email",
        " Ana.Lima@Acme.Example ",
        "--name",
        "Ana Lima",
        "--org",
        "acme",
        "--role",
        "admin",
        "--db",
        db_url,
    )
    assert code == 0 and "ana.lima@acme.example" in out
    run(
        capsys,
        "member",
        "add",
        "--email",
        "bo@acme.example",
        "--name",
        "Bo Chen",
        "--org",
        "acme",
        "--address",
        "bo.chen@home.example",
        "--db",
        db_url,
    )
    code, out, _ = run(capsys, "member", "list", "--org", "acme", "--json", "--db", db_url)
    members = json.loads(out)["members"]
    assert [m["email"] for m in members] == ["ana.lima@acme.example", "bo@acme.example"]
    assert members[0]["role"] == "admin" and members[1]["addresses"] == [
        "bo@acme.example",
        "bo.chen@home.example",
    ]
    assert members[0]["contact_sync"] is False and members[0]["activity_sharing"] is True
    code, out, _ = run(capsys, "org", "list", "--json", "--db", db_url)
    orgs = {o["slug"]: o for o in json.loads(out)["organizations"]}
    assert orgs["acme"]["members"] == 2 and orgs["acme"]["persons"] == 2
    assert orgs["default"]["members"] == 0


def test_solo_user_never_types_an_org(capsys: pytest.CaptureFixture[str], db_url: str) -> None:
    assert (
        run(capsys, "member", "add", "--email", "me@solo.example", "--name", "Me", "--db", db_url)[
            0
        ]
        == 0
    )
    store = open_store(db_url)
    assert [m.email for m in list_members(store, resolve_org(store))] == ["me@solo.example"]
    store.dispose()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["member", "add", "--email", "not-an-email", "--name", "X"], "is not an email address"),
        (
            ["member", "add", "--email", "urn:li:member:123", "--name", "X"],
            "is not an email address",
        ),
        (
            ["member", "add", "--email", "a@b.example", "--name", "X", "--org", "nope"],
            "no organization 'nope'",
        ),
        (
            ["member", "add", "--email", "a@b.example", "--name", "X", "--role", "boss"],
            "role 'boss'",
        ),
        (["org", "create", "Bad Name!"], "is not valid"),
        (["member", "list", "--org", "ghost"], "no organization 'ghost'"),
    ],
)
def test_user_mistakes_are_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], db_url: str, argv: list[str], message: str
) -> None:
    code, _, err = run(capsys, *argv, "--db", db_url)
    assert code == 2
    assert message in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_duplicate_member_is_refused_and_nothing_half_written(
    capsys: pytest.CaptureFixture[str], db_url: str
) -> None:
    run(capsys, "member", "add", "--email", "a@x.example", "--name", "A", "--db", db_url)
    code, _, err = run(
        capsys,
        "member",
        "add",
        "--email",
        "b@x.example",
        "--name",
        "B",
        "--address",
        "a@x.example",
        "--db",
        db_url,
    )
    assert code == 2 and "already belongs to another member" in err
    store = open_store(db_url)
    assert [m.email for m in list_members(store, resolve_org(store))] == ["a@x.example"]
    store.dispose()


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("sqlite:////no/such/dir/t.db", "does not exist"),
        ("postgresql://nobody:pw@127.0.0.1:1/none", "cannot open database"),
        ("nonsense", "not a database URL"),
    ],
)
def test_unopenable_database_is_one_line(
    capsys: pytest.CaptureFixture[str], url: str, message: str
) -> None:
    code, _, err = run(capsys, "member", "list", "--db", url)
    assert code == 2 and message in err and "Traceback" not in err
    assert "pw@" not in err


def test_python_dash_m_and_env_url(tmp_path: Path) -> None:
    env = {"TIEGRAPH_DATABASE_URL": f"sqlite:///{tmp_path / 'env.db'}", "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-m", "tiegraph", "init"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "env.db").exists()
    bad = subprocess.run(
        [sys.executable, "-m", "tiegraph", "member", "add", "--email", "x", "--name", "X"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
    )
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
