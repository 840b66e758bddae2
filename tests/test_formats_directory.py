"""Tests of the directory reader: JSON Lines, JSON arrays and CSV, encodings, refused rows."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from tiegraph.formats.directory import iter_directory
from tiegraph.formats.records import (
    CompanyRecord,
    EducationRecord,
    EmploymentRecord,
    NoRecordsError,
    PersonRecord,
    RowError,
)

DOC = Path(__file__).resolve().parents[1] / "docs" / "directory-format.md"


def read(text: str | bytes, file: str = "dir.jsonl") -> list[object]:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return list(iter_directory(data, file=file))


def jsonl(*objects: object) -> str:
    return "".join(json.dumps(obj, ensure_ascii=False) + "\n" for obj in objects)


def errors(rows: list[object]) -> dict[str, str]:
    return {row.locator: row.reason for row in rows if isinstance(row, RowError)}


COMPANY = {
    "type": "company",
    "id": "C1",
    "name": "Acme Corporation",
    "domains": ["Acme.example", "acme-corp.example"],
    "size": 2300,
    "industry": "Software",
}
PERSON = {
    "type": "person",
    "id": "P1",
    "first_name": "José",
    "last_name": "Núñez",
    "emails": ["jose.nunez@acme.example", "jn@example.com"],
    "phones": ["+34911234567"],
    "profile_url": "https://www.linkedin.com/in/jose-nunez",
    "employment": [
        {"company_id": "C1", "company": "Acme Corporation", "title": "CTO", "start": "2021-04"},
        {"company": "Globex S.A.", "title": "Engineer", "start": "2016", "end": "2021-03"},
    ],
    "education": [{"school": "MIT", "degree": "BSc", "start": "2010", "end": "2014"}],
}


def test_jsonl_company_and_person_with_history() -> None:
    company, person = read(jsonl(COMPANY, PERSON))
    assert company == CompanyRecord(
        external_id="C1",
        name="Acme Corporation",
        domains=("acme.example", "acme-corp.example"),
        size=2300,
        industry="Software",
        locator="line 1",
    )
    assert isinstance(person, PersonRecord)
    assert person.full_name == "José Núñez"
    assert person.emails == ("jose.nunez@acme.example", "jn@example.com")
    assert person.locator == "line 2"
    assert person.employment == (
        EmploymentRecord("Acme Corporation", "C1", "CTO", date(2021, 4, 1), None),
        EmploymentRecord("Globex S.A.", "", "Engineer", date(2016, 1, 1), date(2021, 3, 31)),
    )
    assert person.education == (
        EducationRecord("MIT", "BSc", date(2010, 1, 1), date(2014, 12, 31)),
    )


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        ("2019", "2020", (date(2019, 1, 1), date(2020, 12, 31))),
        ("2019-02", "2020-02", (date(2019, 2, 1), date(2020, 2, 29))),
        ("2019-02-03", "2019-02-03", (date(2019, 2, 3), date(2019, 2, 3))),
        (2019, None, (date(2019, 1, 1), None)),
        ("2019-7", "Present", (date(2019, 7, 1), None)),
        (None, "", (None, None)),
    ],
)
def test_dates_of_year_month_or_day_precision(
    start: object, end: object, expected: tuple[date | None, date | None]
) -> None:
    job = {"company": "Acme", "start": start, "end": end}
    (person,) = read(jsonl({"type": "person", "id": 1, "full_name": "A B", "employment": [job]}))
    assert isinstance(person, PersonRecord)
    assert (person.employment[0].start, person.employment[0].end) == expected
    assert person.external_id == "1"


def test_bad_lines_are_refused_with_line_and_reason_and_the_rest_kept() -> None:
    lines = [
        jsonl(COMPANY),
        '{"type": "person", "id": "P2", "first_name": \n',
        jsonl({"type": "person", "first_name": "No", "last_name": "Id"}),
        jsonl({**PERSON, "employment": [{"company": "X", "start": "2019-13"}]}),
        jsonl({**PERSON, "employment": [{"company": "X", "start": "2020", "end": "2019"}]}),
        "\n",
        jsonl({"type": "robot", "id": "R1"}),
        "[1, 2]\n",
        jsonl({**PERSON, "employment": [{"title": "CEO"}]}),
        jsonl({**PERSON, "education": [{"school": "MIT", "end": "2021-02-29"}]}),
        jsonl({"type": "company", "id": "C9"}),
        jsonl({**PERSON, "emails": "a@x.example", "phones": [1]}),
        jsonl({**COMPANY, "size": "many"}),
        jsonl(PERSON),
    ]
    rows = read("".join(lines))
    assert errors(rows) == {
        "line 2": "not valid JSON: Expecting value (column 45)",
        "line 3": 'missing "id"',
        "line 4": "employment 1 start '2019-13' is not a date (YYYY, YYYY-MM or YYYY-MM-DD)",
        "line 5": "employment 1 ends (2019-12-31) before it starts (2020-01-01)",
        "line 7": '"type" must be "company" or "person", not "robot"',
        "line 8": "expected a JSON object, found an array",
        "line 9": "employment 1 has neither company nor company_id",
        "line 10": "education 1 end '2021-02-29' is not a date (YYYY, YYYY-MM or YYYY-MM-DD)",
        "line 11": "company without a name",
        "line 12": '"phones" must be a list of texts',
        "line 13": '"size" must be a whole number of employees, not "many"',
    }
    good = [row for row in rows if not isinstance(row, RowError)]
    assert [row.locator for row in good if isinstance(row, CompanyRecord | PersonRecord)] == [
        "line 1",
        "line 14",
    ]


def test_type_is_inferred_when_missing() -> None:
    rows = read(jsonl({"id": "C1", "name": "Acme"}, {"id": "P1", "first_name": "Ann"}, {"id": 3}))
    assert isinstance(rows[0], CompanyRecord)
    assert isinstance(rows[1], PersonRecord)
    assert errors(rows) == {"line 3": 'no "type" and nothing telling a person from a company'}


@pytest.mark.parametrize(
    ("size", "expected"),
    [(12, 12), ("1,200", 1200), ("51-200", 125), ("10,001+", 10001), (None, None), (40.0, 40)],
)
def test_company_size_forms(size: object, expected: int | None) -> None:
    (company,) = read(jsonl({**COMPANY, "size": size}))
    assert isinstance(company, CompanyRecord)
    assert company.size == expected


def test_json_array_uses_item_locators() -> None:
    rows = read(json.dumps([COMPANY, {"type": "person", "id": "P1"}, PERSON]))
    assert [type(row).__name__ for row in rows] == ["CompanyRecord", "RowError", "PersonRecord"]
    assert errors(rows) == {"item 2": "person without a name or an email"}
    assert rows[2].locator == "item 3"  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "encode",
    [
        lambda text: text.encode("utf-8"),
        lambda text: b"\xef\xbb\xbf" + text.encode("utf-8"),
        lambda text: text.encode("cp1252"),
        lambda text: text.encode("utf-16"),
        lambda text: text.encode("utf-16-le"),
    ],
    ids=["utf8", "utf8-bom", "cp1252", "utf16-bom", "utf16le-no-bom"],
)
def test_encodings_are_detected(encode: Callable[[str], bytes]) -> None:
    text = "id,name\r\nC1,Müller Straßenbau GmbH\r\nC2,Café Rénové S.A.\r\n"
    rows = read(encode(text), file="companies.csv")
    assert [row.name for row in rows if isinstance(row, CompanyRecord)] == [
        "Müller Straßenbau GmbH",
        "Café Rénové S.A.",
    ]


def test_cp1252_with_undefined_bytes_does_not_crash() -> None:
    rows = read(b"id,name\nC1,Caf\xe9 \x81\n", file="c.csv")
    assert rows == [CompanyRecord("C1", "Café \ufffd", locator="line 2")]


PERSONS_CSV = (
    "ID,First Name,Last Name,Email,phones,company,company_id,company_domain,title,start,end,"
    "employment_json,education_json\n"
    'P1,Bob,Smith,bob@acme.example;bob@example.com,+14155550123,"Acme, Inc.",C1,ACME.example,'
    'CEO,2020-01,,"[{""company"": ""Acme, Inc."", ""company_id"": ""C1"", '
    '""company_domain"": ""acme.example"", ""title"": ""CEO"", ""start"": ""2020-01""}, '
    '{""company"": ""Initech"", ""start"": ""2012"", ""end"": ""2019""}]",'
    '"[{""school"": ""MIT"", ""end"": ""2011""}]"\n'
    'P2,"Ann\nMarie",Lee,,,,,,,,,,\n'
    ",,,,,,,,,,,,\n"
    "P3,Cy,Ng,,,Globex,,,Buyer,2020-02-30,,,\n"
    "P4,Di,Ho,,,,,,,,,not json,\n"
    "P5,Ed,Yu,,,,,,,,,,,,surplus\n"
    "P6,Flo,Ra,,,,,,,,,,\n"
)


def test_persons_csv_with_current_job_columns_and_json_history() -> None:
    rows = read(PERSONS_CSV, file="people.csv")
    assert errors(rows) == {
        "line 6": "employment 1 start '2020-02-30' is not a date (YYYY, YYYY-MM or YYYY-MM-DD)",
        "line 7": "employment_json is not valid JSON: Expecting value",
        "line 8": "15 cells but the header has 13",
    }
    bob, ann, flo = (row for row in rows if isinstance(row, PersonRecord))
    assert bob.emails == ("bob@acme.example", "bob@example.com")
    assert bob.employment == (
        EmploymentRecord("Acme, Inc.", "C1", "CEO", date(2020, 1, 1), None, "acme.example"),
        EmploymentRecord("Initech", "", "", date(2012, 1, 1), date(2019, 12, 31)),
    )
    assert bob.education == (EducationRecord("MIT", end=date(2011, 12, 31)),)
    assert (ann.first_name, ann.locator) == ("Ann\nMarie", "line 3")
    assert flo.locator == "line 9"


def test_semicolon_delimited_companies_csv() -> None:
    text = 'id;name;domains;size;industry\nC1;Acme GmbH;"acme.example;acme.example.com";12;Steel\n'
    (company,) = read(text, file="companies.csv")
    assert company == CompanyRecord(
        "C1", "Acme GmbH", ("acme.example", "acme.example.com"), 12, "Steel", "line 2"
    )


def test_csv_that_is_no_directory_explains_then_raises() -> None:
    rows: list[object] = []
    with pytest.raises(NoRecordsError):
        rows.extend(iter_directory(b"First Name,Last Name,URL\nA,B,C\n", file="Connections.csv"))
    assert rows == [RowError("Connections.csv", "line 1", "header has no id column")]
    with pytest.raises(NoRecordsError):
        rows.extend(iter_directory(b"foo,bar\n1,2\n", file="x.csv"))
    assert rows[-1] == RowError("x.csv", "line 1", "header names neither persons nor companies")


@pytest.mark.parametrize("data", [b"", b"\n\n  \n", b"\xef\xbb\xbf", b'{"id": 1}\n'])
def test_nothing_readable_raises_no_records(data: bytes) -> None:
    with pytest.raises(NoRecordsError, match="no companies or persons"):
        list(iter_directory(data, file="empty.jsonl"))


def test_examples_in_the_format_documentation_parse() -> None:
    blocks = re.findall(r"```(json|csv)\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    assert len(blocks) == 4
    for _kind, text in blocks:
        rows = read(text, file="doc")
        assert rows and not errors(rows), text
    person = read(blocks[1][1])[0]
    assert isinstance(person, PersonRecord)
    assert [job.company_id for job in person.employment] == ["C000012", "C000031"]


def _persons_csv(rows: list[str]) -> list[object]:
    header = "id,first_name,last_name,email,company"
    return read("\n".join([header, *rows]) + "\n", "people.csv")


def test_csv_an_unclosed_quote_costs_its_row_and_the_rows_it_swallowed_are_kept() -> None:
    rows = ["P0,Ana,Lima,ana@x.example,Acme", 'P1,"Bo,Berg,bo@x.example,Acme']
    rows += [f"Q{i},Cy{i},Ng,cy{i}@x.example,Acme" for i in range(20_000)]
    found = _persons_csv(rows)
    assert errors(found).keys() == {"line 3"} and "never closed" in errors(found)["line 3"]
    persons = [r for r in found if isinstance(r, PersonRecord)]
    assert len(persons) == 20_001 and persons[-1].external_id == "Q19999"
    assert persons[1].locator == "line 4"


def test_csv_a_cell_too_long_to_read_costs_its_row_only() -> None:
    rows = ["P0,Ana,Lima,ana@x.example,Acme", f"P1,Bo,{'x' * 200_000},bo@x.example,Acme"]
    rows += ["P2,Cy,Ng,cy@x.example,Acme"]
    found = _persons_csv(rows)
    assert list(errors(found)) == ["line 3"] and "unreadable CSV row" in errors(found)["line 3"]
    assert [r.external_id for r in found if isinstance(r, PersonRecord)] == ["P0", "P2"]
