"""Bad input through the web: oversized, wrong or broken files, and hostile strings."""

from __future__ import annotations

import csv
import io

from fastapi.testclient import TestClient
from sqlalchemy import select
from tests.web.conftest import Browser
from tests.web.test_web_pages import wait_for_import

from tiegraph.store import Store
from tiegraph.store.schema import person
from tiegraph.web.export import csv_cell

HEADER = "First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"
HOSTILE = (
    HEADER
    + '"<script>alert(1)</script>",Hacker,,evil@x.example,"=HYPERLINK(""http://x"")",'
    + '"@SUM(A1)",1 Jan 2024\n'
    + "Plain,Person,,plain@x.example,+cmd|' /C calc'!A0,-2+3,1 Jan 2024\n"
)


def upload(browser: Browser, *files: tuple[str, bytes]) -> object:
    parts = [("files", (name, data, "text/csv")) for name, data in files]
    return browser.client.post(
        "/import", data={"csrf_token": browser.csrf()}, files=parts, follow_redirects=False
    )


def test_oversized_upload_is_refused_with_the_limit(ana: Browser) -> None:
    answer = upload(ana, ("big.csv", HEADER.encode() + b"a,b,,,,,\n" * 40_000))
    assert answer.status_code == 413  # type: ignore[attr-defined]
    assert "larger than the limit of 0.25 MB" in answer.text  # type: ignore[attr-defined]
    assert "No imports yet." in ana.client.get("/import").text


def test_wrong_file_types_are_refused_and_nothing_is_imported(ana: Browser) -> None:
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100
    for files, message in (
        ((("photo.csv", png),), "this is a PNG image"),
        ((("tool.exe", b"MZ\x90\x00"),), "not an address-book export"),
        ((("ok.csv", HOSTILE.encode()), ("archive.csv", b"PK\x03\x04zz")), "ZIP archive"),
        ((("empty.csv", b""),), "the file is empty"),
    ):
        answer = upload(ana, *files)
        assert answer.status_code == 422, message  # type: ignore[attr-defined]
        assert message in answer.text  # type: ignore[attr-defined]
    assert "No imports yet." in ana.client.get("/import").text


def test_a_broken_file_loses_nothing_of_the_good_ones(ana: Browser) -> None:
    garbage = bytes(range(256)) * 40
    answer = upload(ana, ("broken.csv", garbage), ("good.csv", HOSTILE.encode()))
    job_page = answer.headers["location"]  # type: ignore[attr-defined]
    status = wait_for_import(ana.client, job_page + "/status")
    assert status["status"] == "done"
    report = ana.client.get(job_page).text
    assert "broken.csv" in report and "good.csv" in report and "0 of 2 matched" in report
    assert "Plain Person" in ana.client.get("/gallery?q=plain").text


def test_hostile_strings_are_escaped_everywhere(ana: Browser, ana_api: TestClient) -> None:
    name = "<img src=x onerror=alert(1)>.csv"
    answer = upload(ana, (name, HOSTILE.encode()))
    job_page = answer.headers["location"]  # type: ignore[attr-defined]
    wait_for_import(ana.client, job_page + "/status")
    pages = [ana.client.get(job_page).text, ana.client.get("/gallery?q=Hacker").text]
    contact_id = ana_api.get("/api/v1/gallery", params={"q": "Hacker"}).json()["items"][0]["id"]
    pages.append(ana.client.get(f"/contacts/{contact_id}").text)
    pages.append(ana.client.get("/network").text)
    ana.post("/properties", {"name": "<b>bold</b>", "kind": "text"})
    pages.append(ana.client.get("/gallery").text)
    for html in pages:
        assert "<script>alert" not in html and "<img src=x" not in html and "<b>bold" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in pages[1]
    assert "&lt;img src=x onerror=alert(1)&gt;.csv" in pages[0]
    # The API returns the strings as they are (JSON, not HTML): nothing lost.
    row = ana_api.get("/api/v1/gallery", params={"q": "Hacker"}).json()["items"][0]
    assert row["name"] == "<script>alert(1)</script> Hacker"
    assert row["company"] == '=HYPERLINK("http://x")'


def test_exported_cells_never_start_a_formula(ana: Browser) -> None:
    answer = upload(ana, ("Connections.csv", HOSTILE.encode()))
    wait_for_import(ana.client, answer.headers["location"] + "/status")  # type: ignore[attr-defined]
    ana.post("/gallery/columns", {"show": "title", "back": "/gallery"})
    export = ana.client.get("/gallery/export.csv", params={"scope": "mine"})
    assert export.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(export.text)))
    cells = [cell for row in rows for cell in row]
    assert all(not c.startswith(("=", "+", "-", "@")) for c in cells)
    assert '\'=HYPERLINK("http://x")' in cells and "'@SUM(A1)" in cells and "'-2+3" in cells


def test_csv_cell() -> None:
    assert [csv_cell(v) for v in ("=1", "+1", "-1", "@x", "\t=1", "ok", "")] == [
        "'=1",
        "'+1",
        "'-1",
        "'@x",
        "'\t=1",
        "ok",
        "",
    ]


def test_hostile_query_strings_do_not_break_pages(ana: Browser, ana_api: TestClient) -> None:
    for q in ("%", "_", "\\", "'; DROP TABLE person; --", "a" * 200):
        assert ana.client.get("/gallery", params={"q": q}).status_code == 200
        assert ana_api.get("/api/v1/persons", params={"q": q}).status_code == 200
    assert ana.client.get("/gallery", params={"q": "a" * 201}).status_code == 422
    assert ana.client.get("/gallery", params={"scope": "<x>"}).status_code == 422
    # NUL can be stored by no database: refused at the door, in the envelope for the API.
    assert ana.client.get("/gallery", params={"q": "a\x00b"}).status_code == 400
    answer = ana_api.get("/api/v1/persons", params={"q": "\x00"})
    assert answer.status_code == 400 and answer.json()["error"]["code"] == "bad_request"


def test_hostile_strings_in_lists_intros_and_settings_are_escaped(
    ana: Browser, web_store: Store
) -> None:
    hostile = "<script>alert(1)</script>"
    created = ana.post("/lists", {"name": f"{hostile} leads", "kind": "leads"})
    list_page = ana.client.get(created.headers["location"]).text  # type: ignore[attr-defined]
    ana.post("/settings/intro-template", {"subject": f"{hostile} {{target_name}}", "body": hostile})
    ana.post("/settings/signature", {"text": hostile})
    with web_store.read() as conn:
        jose = conn.execute(select(person.c.id).where(person.c.external_id == "P2")).scalar_one()
    drafted = ana.post(f"/persons/{jose}/intros", {"introducer": "cy@us.example"})
    intro_page = ana.client.get(drafted.headers["location"]).text  # type: ignore[attr-defined]
    pages = [list_page, ana.client.get("/lists").text, intro_page, ana.client.get("/intros").text]
    pages.append(ana.client.get("/settings").text)
    for html in pages:
        assert "<script>alert" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in intro_page


def test_no_form_redirects_to_another_site(ana: Browser) -> None:
    ana.post("/lists", {"name": "Deals", "kind": "deals"})
    for back in ("//evil.example/", "/\\evil.example", "https://evil.example/"):
        answer = ana.post("/lists/add", {"list_id": "1", "back": back, "emails": ""})
        assert answer.headers["location"] == "/lists"  # type: ignore[attr-defined]
        answer = ana.post("/gallery/columns", {"page_size": "50", "back": back})
        assert answer.headers["location"] == "/gallery"  # type: ignore[attr-defined]
