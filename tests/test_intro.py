"""Intro requests through the CLI: template, draft, edit, mail client, tracking, privacy."""

from __future__ import annotations

import json
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
import typer
from sqlalchemy import text as sql

from intro_world import PRIVATE_EMAIL, PRIVATE_NAME, World, build_world
from tiegraph.cli import app, main
from tiegraph.errors import InvalidInputError
from tiegraph.services.insights.who_knows import who_knows
from tiegraph.services.intros.requests import draft_intro, get_intro
from tiegraph.services.intros.template import (
    DEFAULT_BODY,
    PLACEHOLDERS,
    check_template_text,
    place_note,
    render,
)
from tiegraph.store import Store, open_store
from tiegraph.store.migrate import downgrade

Run = tuple[int, str, str]


def cli(capsys: pytest.CaptureFixture[str], db_url: str, *argv: str) -> Run:
    try:
        main([*argv, "--db", db_url])
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def ok_json(run: Run) -> dict[str, object]:
    code, out, err = run
    assert code == 0, err
    loaded: dict[str, object] = json.loads(out)
    return loaded


def error_line(run: Run) -> str:
    """A user's mistake: exit code 2 and one line on stderr."""
    code, out, err = run
    assert code == 2, (out, err)
    assert out == "" and err.startswith("Error: ") and err.count("\n") == 1, err
    return err


@pytest.fixture
def world(store: Store, tmp_path: Path) -> World:
    return build_world(store, tmp_path)


def test_template_placeholders_are_checked_and_rendering_never_fails() -> None:
    for text in ("Hi {introducer_nam}", "{reason!r}", "{target_name:>10}", "{", "a } b", "{}"):
        with pytest.raises(InvalidInputError):
            check_template_text(text, "body")
    assert check_template_text(DEFAULT_BODY, "body") == DEFAULT_BODY
    assert check_template_text("{{literal}} {note}", "body") == "{{literal}} {note}"
    assert render("{{x}} {target_name}", {"target_name": "Pat"}) == "{x} Pat"
    # missing values are empty; empty parentheses and blank runs left behind disappear
    assert render("Meet {target_name} ({target_role}).\n\n{note}\n\nBye", {}) == "Meet.\n\nBye"
    assert render("broken {", {"note": "x"}) == "broken {"
    every = {name: name.upper() for name in PLACEHOLDERS}
    rendered = render(DEFAULT_BODY, every)
    assert "{" not in rendered and all(v in rendered for v in ("WHY", "NOTE", "TARGET_NAME"))


def test_a_note_changes_its_own_paragraph_of_the_body() -> None:
    body = "Hi Bo,\n\nWould you introduce me?\n\nIf you are happy to…\n\nThanks,\nAna\n"
    with_note = place_note(body, "", "We launch in May.")
    assert with_note == (
        "Hi Bo,\n\nWould you introduce me?\n\nWe launch in May.\n\nIf you are happy to…"
        "\n\nThanks,\nAna\n"
    )
    assert place_note(with_note, "We launch in May.", "In June now.") == with_note.replace(
        "We launch in May.", "In June now."
    )
    assert place_note(with_note, "We launch in May.", "") == body
    assert place_note("One line.", "", "A note.") == "One line.\n\nA note.\n"
    assert place_note(body, "", "") == body


def test_draft_fills_the_template_with_the_visible_tie(
    capsys: pytest.CaptureFixture[str], db_url: str, store: Store, world: World
) -> None:
    request = ok_json(
        cli(
            capsys,
            db_url,
            "intro",
            "draft",
            "--to",
            "PAT@acme.example",
            "--via",
            "bo@us.example",
            "--from",
            "ana@us.example",
            "--note",
            "We are launching in Berlin next month.",
            "--json",
        )
    )
    assert request["status"] == "draft" and request["delivery"] is None
    assert request["person"] == {
        "email": "pat@acme.example",
        "name": "Pat Doe",
        "title": "VP Sales",
        "company": "Acme Corp",
    }
    body = str(request["body"])
    assert request["subject"] == "Would you introduce me to Pat Doe?"
    assert body.startswith("Hi Bo,\n\nWould you introduce me to Pat Doe (VP Sales at Acme Corp)?")
    bo = next(
        k
        for k in who_knows(store, world.org, ["pat@acme.example"], viewer=world.ana)[0].knowers
        if k.member_email == "bo@us.example"
    )
    # the why in plain words, from the tie's label: no counts, scores or pasted reasons
    touch = {"strong": "in close touch", "good": "in regular touch", "weak": "in touch now"}
    assert f"You and Pat are {touch[bo.label]}" in body
    assert not any(c.isdigit() for c in body) and "emails" not in body
    assert all(reason not in body for reason in bo.reasons)
    why = f"Bo is {touch[bo.label]} with Pat Doe: your strongest way in."
    assert request["why_this_colleague"] == why
    assert request["note"] == "We are launching in Berlin next month."
    paragraphs = body.split("\n\n")
    assert paragraphs[2] == "We are launching in Berlin next month."  # after the ask
    assert body.rstrip().endswith("Thanks,\nAna Lima") and "{" not in body
    assert "Cy" not in body  # Cy knows Pat better, but does not share activity


def test_draft_never_tells_a_private_contact_from_an_unknown_address(
    capsys: pytest.CaptureFixture[str], db_url: str, world: World
) -> None:
    def draft(to: str, via: str, asking: str = "ana@us.example") -> Run:
        return cli(capsys, db_url, "intro", "draft", "--to", to, "--via", via, "--viewer", asking)

    private = error_line(draft(PRIVATE_EMAIL, "cy@us.example"))
    unknown = error_line(draft("nobody@nowhere.example", "cy@us.example"))
    assert private.replace(PRIVATE_EMAIL, "X") == unknown.replace("nobody@nowhere.example", "X")
    assert PRIVATE_NAME not in private and "no directory person" in private
    # Cy does not share activity: his strong tie to Pat looks like no tie (Dee has none)
    hidden = error_line(draft("pat@acme.example", "cy@us.example"))
    none = error_line(draft("pat@acme.example", "dee@us.example"))
    assert hidden.replace("Cy Diaz", "X") == none.replace("Dee Admin", "X")
    assert "emails" not in hidden
    # Cy himself may ask Bo, whose activity is shared; and nobody may ask themselves
    assert draft("pat@acme.example", "bo@us.example", "cy@us.example")[0] == 0
    assert "another member" in error_line(draft("pat@acme.example", "ana@us.example"))
    assert "not an email" in error_line(draft("pat-at-acme", "bo@us.example"))
    assert "not a member" in error_line(draft("pat@acme.example", "zed@us.example"))
    assert "who is asking" in error_line(
        cli(capsys, db_url, "intro", "draft", "--to", "pat@acme.example", "--via", "bo@us.example")
    )


def test_edit_hand_to_the_mail_client_and_track(
    capsys: pytest.CaptureFixture[str], db_url: str, world: World, tmp_path: Path
) -> None:
    first = ok_json(
        cli(
            capsys,
            db_url,
            "intro",
            "draft",
            "--to",
            "pat@acme.example",
            "--via",
            "bo@us.example",
            "--viewer",
            "ana@us.example",
            "--json",
        )
    )
    rid = str(first["id"])
    assert "already have request" in error_line(
        cli(capsys, db_url, "intro", "draft", "--to", "pat@acme.example", "--via", "bo@us.example",
            "--viewer", "ana@us.example")
    )  # fmt: skip
    body = tmp_path / "body.txt"
    body.write_text("Hi Bo,\n\nCould you put me in touch with Pat? 50% of our pipeline & more.\n")
    edited = ok_json(
        cli(capsys, db_url, "intro", "edit", rid, "--subject", "Pat & Acme: an intro?",
            "--body-file", str(body), "--viewer", "ana@us.example", "--json")
    )  # fmt: skip
    assert edited["subject"] == "Pat & Acme: an intro?" and edited["body"] == body.read_text()
    assert f"no intro request {rid}" in error_line(  # a draft is the requester's alone
        cli(capsys, db_url, "intro", "edit", rid, "--subject", "x", "--viewer", "bo@us.example")
    )
    noted = ok_json(
        cli(capsys, db_url, "intro", "edit", rid, "--note", "We launch in May.",
            "--viewer", "ana@us.example", "--json")
    )  # fmt: skip
    assert noted["note"] == "We launch in May."
    assert noted["body"] == body.read_text() + "\nWe launch in May.\n"  # after the 2nd paragraph
    body.write_text(str(noted["body"]))
    assert "send it first" in error_line(
        cli(capsys, db_url, "intro", "mark", rid, "introduced", "--viewer", "ana@us.example")
    )
    eml = tmp_path / "out.eml"
    sent = ok_json(
        cli(capsys, db_url, "intro", "send", rid, "--via-client", "--eml", str(eml),
            "--viewer", "ana@us.example", "--json")
    )  # fmt: skip
    # handed to the mail client is not sent: still a draft, text kept, until Ana confirms
    assert sent["status"] == "draft" and sent["delivery"] is None and sent["sent_at"] is None
    message = message_from_bytes(eml.read_bytes(), policy=policy.default)
    assert message["To"] == "Bo Chen <bo@us.example>"
    assert message["From"] == "Ana Lima <ana@us.example>" and message["X-Unsent"] == "1"
    assert message["Subject"] == "Pat & Acme: an intro?"
    assert message.get_content().replace("\r\n", "\n") == body.read_text()
    link = urlsplit(str(sent["mailto"]))
    assert link.scheme == "mailto" and unquote(link.path) == "bo@us.example"
    assert "%0D%0A" in link.query and " " not in link.query and "&amp;" not in link.query
    fields = parse_qs(link.query)
    assert fields["subject"] == ["Pat & Acme: an intro?"]
    assert fields["body"] == [body.read_text().replace("\n", "\r\n")]
    assert f"no intro request {rid}" in error_line(
        cli(capsys, db_url, "intro", "confirm", rid, "--viewer", "bo@us.example")
    )
    confirmed = ok_json(
        cli(capsys, db_url, "intro", "confirm", rid, "--viewer", "ana@us.example", "--json")
    )
    assert confirmed["status"] == "requested" and confirmed["delivery"] == "client"
    assert confirmed["sent_at"] and (confirmed["subject"], confirmed["body"]) == ("", "")
    # the mail is forgotten, the why kept
    assert confirmed["note"] == "" and confirmed["why_this_colleague"]
    assert "already requested" in error_line(
        cli(capsys, db_url, "intro", "send", rid, "--via-client")
    )
    assert "only a draft" in error_line(cli(capsys, db_url, "intro", "edit", rid, "--subject", "y"))
    assert "not 'maybe'" in error_line(cli(capsys, db_url, "intro", "mark", rid, "maybe"))
    assert "only the introducer" in error_line(
        cli(capsys, db_url, "intro", "accept", rid, "--viewer", "ana@us.example")
    )
    code, out, _ = cli(capsys, db_url, "intro", "accept", rid, "--viewer", "bo@us.example")
    assert code == 0 and "now introduced" in out and "no SMTP server" in out
    marked = ok_json(cli(capsys, db_url, "intro", "show", rid, "--viewer", "ana@us.example",
                         "--json"))  # fmt: skip
    assert marked["status"] == "introduced" and marked["decided_at"]
    assert "cannot become declined" in error_line(
        cli(capsys, db_url, "intro", "mark", rid, "declined")
    )
    code, out, _ = cli(capsys, db_url, "intro", "list", "--member", "bo@us.example")
    assert code == 0 and "introduced" in out and "Pat Doe" in out
    for who in ("ana@us.example", "bo@us.example"):
        listed = ok_json(cli(capsys, db_url, "intro", "list", "--viewer", who, "--json"))
        assert [r["id"] for r in listed["requests"]] == [first["id"]]  # type: ignore[index]


def test_other_members_cannot_see_or_touch_a_request(
    capsys: pytest.CaptureFixture[str], db_url: str, world: World
) -> None:
    made = ok_json(
        cli(capsys, db_url, "intro", "draft", "--to", "pat@acme.example", "--via", "bo@us.example",
            "--from", "ana@us.example", "--json")
    )  # fmt: skip
    rid = str(made["id"])
    assert ok_json(cli(capsys, db_url, "intro", "list", "--viewer", "cy@us.example", "--json")) == {
        "requests": []
    }
    operator = ok_json(cli(capsys, db_url, "intro", "list", "--status", "draft", "--json"))
    assert len(operator["requests"]) == 1  # type: ignore[arg-type]
    for argv in (
        ("show", "{id}"),
        ("edit", "{id}", "--subject", "mine now"),
        ("send", "{id}", "--via-client", "--no-eml"),
        ("mark", "{id}", "declined"),
    ):
        theirs = error_line(cli(capsys, db_url, "intro", *[a.format(id=rid) for a in argv],
                                "--viewer", "cy@us.example"))  # fmt: skip
        missing = error_line(cli(capsys, db_url, "intro", *[a.format(id="999") for a in argv],
                                 "--viewer", "cy@us.example"))  # fmt: skip
        assert theirs.replace(rid, "N") == missing.replace("999", "N")
    # a draft is the requester's alone: the introducer does not see it until it is sent
    hidden = error_line(cli(capsys, db_url, "intro", "show", rid, "--viewer", "bo@us.example"))
    assert hidden == f"Error: no intro request {rid}\n"
    assert ok_json(cli(capsys, db_url, "intro", "list", "--viewer", "bo@us.example", "--json")) == {
        "requests": []
    }
    shown = ok_json(cli(capsys, db_url, "intro", "show", rid, "--json"))
    assert shown["status"] == "draft"  # nothing changed it
    sent = ok_json(cli(capsys, db_url, "intro", "send", rid, "--via-client", "--no-eml", "--json"))
    assert sent["status"] == "draft" and sent["eml"] == "" and sent["mailto"]
    for argv in (("confirm", "{id}"), ("accept", "{id}"), ("decline", "{id}", "--reason", "no")):
        theirs = error_line(cli(capsys, db_url, "intro", *[a.format(id=rid) for a in argv],
                                "--viewer", "cy@us.example"))  # fmt: skip
        missing = error_line(cli(capsys, db_url, "intro", *[a.format(id="999") for a in argv],
                                 "--viewer", "cy@us.example"))  # fmt: skip
        assert theirs.replace(rid, "N") == missing.replace("999", "N")
    ok_json(cli(capsys, db_url, "intro", "confirm", rid, "--viewer", "ana@us.example", "--json"))
    assert "only a decline takes a reason" not in error_line(
        cli(capsys, db_url, "intro", "decline", rid, "--reason", "x" * 501, "--viewer",
            "bo@us.example")
    )  # fmt: skip
    declined = ok_json(
        cli(capsys, db_url, "intro", "decline", rid, "--reason", "  I barely know   Pat. ",
            "--viewer", "bo@us.example", "--json")
    )  # fmt: skip
    assert declined["status"] == "declined" and declined["decline_note"] == "I barely know Pat."
    assert "on their My day" in str(declined["requester_told"])


def test_template_set_by_an_admin_with_checked_placeholders(
    capsys: pytest.CaptureFixture[str], db_url: str, world: World, tmp_path: Path
) -> None:
    shown = ok_json(cli(capsys, db_url, "intro", "template", "show", "--json"))
    assert shown["default"] is True and "reason" in shown["placeholders"]  # type: ignore[operator]
    body = tmp_path / "t.txt"
    body.write_text("Dear {introducer_name}, {reason}. {{braces}} {target_company}\n-- {org_name}")
    bad = tmp_path / "bad.txt"
    bad.write_text("Dear {introducer}")
    assert "unknown placeholder {introducer}" in error_line(
        cli(capsys, db_url, "intro", "template", "set", "--body-file", str(bad))
    )
    assert "only an admin" in error_line(
        cli(capsys, db_url, "intro", "template", "set", "--body-file", str(body),
            "--viewer", "ana@us.example")
    )  # fmt: skip
    assert "cannot read" in error_line(
        cli(capsys, db_url, "intro", "template", "set", "--body-file", str(tmp_path / "no.txt"))
    )
    changed = ok_json(
        cli(capsys, db_url, "intro", "template", "set", "--subject", "Intro to {target_name}",
            "--body-file", str(body), "--viewer", "dee@us.example", "--json")
    )  # fmt: skip
    assert changed["default"] is False
    drafted = ok_json(
        cli(capsys, db_url, "intro", "draft", "--to", "lee@acme.example", "--via", "ana@us.example",
            "--from", "bo@us.example", "--json")
    )  # fmt: skip
    assert drafted["subject"] == "Intro to Lee Roe"
    assert str(drafted["body"]).startswith("Dear Ana Lima, ")
    assert str(drafted["body"]).endswith("{braces} Acme Corp\n-- My organization")
    reset = ok_json(cli(capsys, db_url, "intro", "template", "set", "--reset", "--json"))
    assert reset["default"] is True


def test_signature_goes_into_the_draft(
    capsys: pytest.CaptureFixture[str], db_url: str, world: World
) -> None:
    code, out, _ = cli(
        capsys, db_url, "intro", "signature", "--member", "ana@us.example", "--text", "Ana\nSales"
    )
    assert code == 0 and out == "Ana\nSales\n"
    drafted = ok_json(
        cli(capsys, db_url, "intro", "draft", "--to", "pat@acme.example", "--via", "bo@us.example",
            "--from", "ana@us.example", "--json")
    )  # fmt: skip
    assert str(drafted["body"]).rstrip().endswith("Thanks,\nAna\nSales")
    assert "{" not in str(drafted["body"])


def test_smtp_settings_never_hold_or_show_the_password(
    capsys: pytest.CaptureFixture[str],
    db_url: str,
    world: World,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TIEGRAPH_TEST_SMTP_PW", "hunter2-very-secret")
    set_run = cli(
        capsys, db_url, "intro", "smtp", "set", "--host", "mail.us.example", "--username", "ana",
        "--password-env", "TIEGRAPH_TEST_SMTP_PW", "--from", "intros@us.example", "--json",
    )  # fmt: skip
    settings = ok_json(set_run)["smtp"]
    assert settings == {
        "host": "mail.us.example",
        "port": 587,
        "security": "starttls",
        "username": "ana",
        "password_env": "TIEGRAPH_TEST_SMTP_PW",
        "sender": "intros@us.example",
        "timeout": 30.0,
        "ca_file": "",
        "password_set": True,
    }
    code, out, _ = cli(capsys, db_url, "intro", "smtp", "show")
    assert code == 0 and "TIEGRAPH_TEST_SMTP_PW" in out and "hunter2" not in out
    for argv, says in (
        (("--security", "tls"), "--security"),
        (("--port", "70000"), "--port"),
        (("--username", "ana", "--password-env", "hunter2 secret"), "--password-env"),
        (("--username", "ana"), "go together"),
        (("--ca-file", "/nonexistent.pem"), "--ca-file"),
        (("--from", "not an address"), "not an email"),
    ):
        line = error_line(cli(capsys, db_url, "intro", "smtp", "set", "--host", "h.example", *argv))
        assert says in line
    assert "only an admin" in error_line(
        cli(
            capsys,
            db_url,
            "intro",
            "smtp",
            "set",
            "--host",
            "h.example",
            "--viewer",
            "bo@us.example",
        )
    )


def test_docs_name_every_placeholder_and_smtp_option() -> None:
    docs = (Path(__file__).resolve().parents[1] / "docs" / "intros.md").read_text()
    assert [p for p in PLACEHOLDERS if f"`{{{p}}}`" not in docs] == []
    group: Any = typer.main.get_group(app)
    smtp_set = group.commands["intro"].commands["smtp"].commands["set"]
    options = [o for p in smtp_set.params for o in p.opts if o.startswith("--")]
    common = {"--viewer", "--org", "--db", "--json", "--help"}
    assert [o for o in options if o not in common and f"`{o}`" not in docs] == []


def test_migration_0014_forgets_the_text_of_requests_already_sent(
    store: Store, world: World, db_url: str
) -> None:
    """Requests sent under the old rules kept their mail; the upgrade forgets it, drafts stay."""
    sent = draft_intro(store, world.org, world.ana, via="bo@us.example", to="pat@acme.example")
    kept = draft_intro(store, world.org, world.bo, via="ana@us.example", to="lee@acme.example")
    downgrade(store.engine, "0013")
    with store.engine.begin() as conn:
        conn.execute(
            sql("UPDATE intro_request SET status = 'requested', delivery = 'eml' WHERE id = :id"),
            {"id": sent.id},
        )
    store.dispose()
    reopened = open_store(db_url)
    try:
        after = get_intro(reopened, world.org, sent.id)
        assert (after.status, after.subject, after.body) == ("requested", "", "")
        draft = get_intro(reopened, world.org, kept.id)
        assert (draft.subject, draft.body) == (kept.subject, kept.body)
        assert (draft.note, draft.why_this_colleague, draft.decline_reason) == ("", "", "")
    finally:
        reopened.dispose()
