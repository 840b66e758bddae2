"""Long imports take turns with other writers (SQLite, real processes): two large imports at
once both complete, a `member set` during one succeeds, and a write that finds the store busy
says so and waits instead of failing."""

from __future__ import annotations

import json
import os
import string
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select
from tests.test_store_concurrency import write_lock_held

from tiegraph.cli import main
from tiegraph.store import open_store
from tiegraph.store.schema import contact, member

ROOT = Path(__file__).resolve().parents[1]
ROWS = 60_000
# Far less than one import holds the lock for when it is one transaction (several seconds).
BUSY_TIMEOUT = "3"


def _letters(n: int) -> str:
    """n as letters (names lose digits when normalized): 0 -> 'a', 27 -> 'bb'."""
    text = ""
    while True:
        n, r = divmod(n, 26)
        text = string.ascii_lowercase[r] + text
        if n == 0:
            return text


def _book(path: Path, tag: str, rows: int = ROWS) -> Path:
    """A Google-style CSV of `rows` different people (no two share a name or an address)."""
    lines = ["First Name,Last Name,E-mail Address,Company"]
    for i in range(rows):
        lines.append(f"{tag.title()},Ko{_letters(i)},{tag}{i}@mail{i % 97}.example,Firm {i % 89}")
    path.write_text("\n".join(lines) + "\n")
    return path


def _tiegraph(*argv: str) -> subprocess.Popen[str]:
    env = os.environ | {"TIEGRAPH_BUSY_TIMEOUT": BUSY_TIMEOUT, "PYTHONPATH": str(ROOT / "src")}
    return subprocess.Popen(
        [sys.executable, "-m", "tiegraph", *argv],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _setup(url: str, *emails: str) -> None:
    for argv in (
        ["init", "--db", url],
        *(["member", "add", "--email", e, "--name", e[:2].title(), "--db", url] for e in emails),
    ):
        with pytest.raises(SystemExit) as done:
            main(argv)
        assert done.value.code == 0


def _contacts(url: str, email: str) -> int:
    store = open_store(url)
    try:
        with store.read() as conn:
            owner = select(member.c.id).where(member.c.email == email).scalar_subquery()
            query = select(func.count()).where(contact.c.member_id == owner)
            return int(conn.execute(query).scalar_one())
    finally:
        store.dispose()


def test_two_large_imports_in_two_processes_both_complete(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    _setup(url, "ana@us.example", "bo@us.example")
    books = {
        e: _book(tmp_path / f"{e[:2]}.csv", e[:2]) for e in ("ana@us.example", "bo@us.example")
    }
    runs = {
        e: _tiegraph("import", "contacts", "--member", e, str(p), "--db", url, "--json")
        for e, p in books.items()
    }
    for email, run in runs.items():
        out, err = run.communicate(timeout=600)
        assert run.returncode == 0, err
        assert "Traceback" not in err
        report = json.loads(out)
        assert (report["attempted"], report["imported"], report["private"]) == (ROWS,) * 3
        assert report["merged"] == 0 and not report["rejected"]
        assert _contacts(url, email) == ROWS


def test_member_set_during_a_large_import_succeeds(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    _setup(url, "ana@us.example", "bo@us.example")
    book = _book(tmp_path / "ana.csv", "ana")
    run = _tiegraph("import", "contacts", "--member", "ana@us.example", str(book), "--db", url)
    deadline = time.monotonic() + 120
    while _contacts(url, "ana@us.example") == 0:  # its first transaction committed
        assert run.poll() is None and time.monotonic() < deadline
        time.sleep(0.05)
    changed = _tiegraph("member", "set", "bo@us.example", "--contact-sync", "on", "--db", url)
    _, err = changed.communicate(timeout=120)
    assert changed.returncode == 0, err
    assert run.poll() is None  # the import was still going
    run.communicate(timeout=600)
    assert run.returncode == 0
    assert _contacts(url, "ana@us.example") == ROWS
    store = open_store(url)
    try:
        with store.read() as conn:
            query = select(member.c.contact_sync).where(member.c.email == "bo@us.example")
            assert conn.execute(query).scalar_one() is True
    finally:
        store.dispose()


def test_a_cli_write_that_finds_the_store_busy_says_so_and_waits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "cli.db"
    url = f"sqlite:///{path}"
    _setup(url, "ana@us.example")
    capsys.readouterr()
    monkeypatch.setenv("TIEGRAPH_BUSY_TIMEOUT", "20")
    with write_lock_held(path, seconds=1.5), pytest.raises(SystemExit) as ended:
        main(["member", "set", "ana@us.example", "--activity-sharing", "off", "--db", url])
    assert ended.value.code == 0
    err = capsys.readouterr().err
    assert "store busy (another import or sync is writing): retrying" in err
    assert "Traceback" not in err and "Error" not in err
