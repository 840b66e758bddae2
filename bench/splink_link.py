"""bench_import.py's baseline: splink 5 on DuckDB linking an address book to a directory store.

Both sides as in bench_matching.py, normalized the same way (lower case, accents dropped): first
name, last name, company (a person's current employer) and every email address (an array).
Written as CSV (not timed), then timed from reading them into DuckDB to each contact's best
pair.

The model is what splink's documentation leads to for this job, checked against its trained
parameters (see bench/README.md, "splink at a million persons"):

- names: `NameComparison` (exact with term-frequency adjustment, then Jaro-Winkler levels);
  company: Jaro-Winkler at 0.9 and 0.8, exact with term-frequency adjustment; emails: any
  address in common (`ArrayIntersectAtSizes`). Not `EmailComparison`: its user-name levels take
  "john.smith@globex" for "john.smith@acme", and work addresses are made from names, so among
  the thirty namesakes a directory of a million holds per name they say nothing; EM trained
  them as the strongest evidence and exact addresses as weak (F1 0.69).
- blocking: a shared address, first + last name, last name + company, first name + company (a
  typo in one part still meets the row); `repo` is bench_matching.py's (last name alone: at a
  million persons some 1,500 candidates a contact, which did not finish in 20 GB).
- training: the share of matches from two deterministic rules (same first address; same name
  and company) at recall 0.8, u by random sampling (10 million pairs), m by EM blocked on the
  first address (`emails[1]`, so that splink leaves the address comparison out of that round)
  and on name + company. EM blocked on first + last name instead (thirty
  namesakes each) takes 6 s more for +0.001 F1.
- DuckDB memory limited to 6 GB (spilling to disk beyond).
"""

from __future__ import annotations

import csv
import logging
import sqlite3
import tempfile
import time
import unicodedata
from pathlib import Path
from typing import Any

from tiegraph.formats.contacts import read_contacts
from tiegraph.formats.records import ContactRecord

COLUMNS = ("unique_id", "first_name", "last_name", "company", "emails")
MEMORY_LIMIT = "6GB"


def plain(text: str | None) -> str:
    folded = unicodedata.normalize("NFKD", text or "")
    return " ".join("".join(c for c in folded if not unicodedata.combining(c)).lower().split())


def write_persons(db: Path, path: Path) -> int:
    with sqlite3.connect(db) as conn, path.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(COLUMNS)
        emails: dict[int, list[str]] = {}
        for person_id, email in conn.execute(
            "SELECT person_id, email FROM person_email ORDER BY id"
        ):
            emails.setdefault(person_id, []).append(email)
        rows = conn.execute(
            "SELECT p.id, p.external_id, p.first_name, p.last_name, c.name "
            "FROM person p LEFT JOIN company c ON c.id = p.company_id "
            "WHERE p.external_id IS NOT NULL"
        )
        count = 0
        for person_id, external, first, last, company in rows:
            mine = "|".join(emails.get(person_id, []))
            out.writerow((external, plain(first), plain(last), plain(company), mine))
            count += 1
    return count


def write_contacts(book: Path, path: Path) -> int:
    read = read_contacts(book.read_bytes(), file=str(book))
    with path.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(COLUMNS)
        count = 0
        for r in read.records:
            if not isinstance(r, ContactRecord):
                continue
            first, last = r.first_name, r.last_name
            if not (first or last) and r.full_name:
                first, _, last = r.full_name.rpartition(" ")
            emails = "|".join(dict.fromkeys(e.lower() for e in r.emails))
            out.writerow((r.locator, plain(first), plain(last), plain(r.company), emails))
            count += 1
    return count


def _rules(blocking: str) -> list[Any]:
    from splink import block_on

    every_address = block_on("emails", arrays_to_explode=["emails"])
    if blocking == "repo":
        return [every_address, block_on("last_name"), block_on("first_name", "company")]
    return [
        every_address,
        block_on("first_name", "last_name"),
        block_on("last_name", "company"),
        block_on("first_name", "company"),
    ]


def link(db: Path, book: Path, blocking: str = "narrow") -> dict[str, Any]:
    import duckdb
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    logging.getLogger("splink").setLevel(logging.ERROR)
    with tempfile.TemporaryDirectory() as folder:
        persons, contacts = Path(folder) / "persons.csv", Path(folder) / "contacts.csv"
        write_persons(db, persons)
        write_contacts(book, contacts)
        began = time.perf_counter()
        con = duckdb.connect(
            config={"temp_directory": str(Path(folder) / "duckdb"), "memory_limit": MEMORY_LIMIT}
        )
        for name, path in (("directory", persons), ("contacts", contacts)):
            con.execute(
                f"CREATE TABLE {name} AS SELECT * FROM read_csv('{path}', header = true, "
                "all_varchar = true)"
            )
            for column in COLUMNS[1:]:
                con.execute(f"UPDATE {name} SET {column} = NULL WHERE {column} = ''")
            con.execute(
                f"ALTER TABLE {name} ALTER emails TYPE VARCHAR[] USING string_split(emails, '|')"
            )
        db_api = DuckDBAPI(con)
        left = db_api.register("directory", dataset_display_name="directory")
        right = db_api.register("contacts", dataset_display_name="contacts")
        company = cl.JaroWinklerAtThresholds("company", [0.9, 0.8])
        settings = SettingsCreator(
            link_type="link_only",
            comparisons=[
                cl.NameComparison("first_name"),
                cl.NameComparison("last_name"),
                company.configure(term_frequency_adjustments=True),
                cl.ArrayIntersectAtSizes("emails", [1]),
            ],
            blocking_rules_to_generate_predictions=_rules(blocking),
            retain_intermediate_calculation_columns=False,
        )
        linker = Linker([left, right], settings)
        # Training cannot explode arrays: the first addresses stand for all there.
        rules = (block_on("emails[1]"), block_on("first_name", "last_name", "company"))
        linker.training.estimate_probability_two_random_records_match(list(rules), recall=0.8)
        linker.training.estimate_u_using_random_sampling(max_pairs=1e7)
        for rule in rules:
            linker.training.estimate_parameters_using_expectation_maximisation(rule)
        trained = time.perf_counter()
        predictions = linker.inference.predict(threshold_match_probability=0.5)
        # Each contact's best pair, chosen in DuckDB: Python never sees the other pairs.
        pairs = f"""
            SELECT CASE WHEN starts_with(unique_id_l, 'P') THEN unique_id_l ELSE unique_id_r END
                       AS person,
                   CASE WHEN starts_with(unique_id_l, 'P') THEN unique_id_r ELSE unique_id_l END
                       AS row,
                   match_probability AS probability
            FROM {predictions.physical_name}"""
        best = {
            row: [person, float(probability)]
            for person, row, probability in con.execute(
                f"SELECT person, row, probability FROM ({pairs}) "
                "QUALIFY row_number() OVER (PARTITION BY row ORDER BY probability DESC) = 1"
            ).fetchall()
        }
        seconds = time.perf_counter() - began
        stages = {"train": trained - began, "predict": time.perf_counter() - trained}
    return {"seconds": seconds, "best": best, "stages": stages}
