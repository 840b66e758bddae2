"""bench_import.py's baseline: splink 5 on DuckDB linking an address book to a directory store.

Both sides as in bench_matching.py: first name, last name, company (current employer), first
email; lower case, accents dropped. Written as CSV (not timed), then timed from reading them
into DuckDB to each contact's best pair: training (u by random sampling, m by EM blocked on
email and on full name) and predictions blocked on email, full name, last name + company and
first name + company (a typo in one part still meets the row).
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

COLUMNS = ("unique_id", "first_name", "last_name", "company", "email")


def plain(text: str | None) -> str:
    folded = unicodedata.normalize("NFKD", text or "")
    return " ".join("".join(c for c in folded if not unicodedata.combining(c)).lower().split())


def write_persons(db: Path, path: Path) -> int:
    with sqlite3.connect(db) as conn, path.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(COLUMNS)
        rows = conn.execute(
            "SELECT p.external_id, p.first_name, p.last_name, c.name, "
            "(SELECT min(e.id) FROM person_email e WHERE e.person_id = p.id) "
            "FROM person p LEFT JOIN company c ON c.id = p.company_id "
            "WHERE p.external_id IS NOT NULL"
        )
        emails = dict(conn.execute("SELECT id, email FROM person_email").fetchall())
        count = 0
        for external, first, last, company, email_id in rows:
            email = emails.get(email_id, "")
            out.writerow((external, plain(first), plain(last), plain(company), email))
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
            email = r.emails[0].lower() if r.emails else ""
            out.writerow((r.locator, plain(first), plain(last), plain(r.company), email))
            count += 1
    return count


# Blocking of predictions and training, by name: "repo" is bench_matching.py's (last name alone
# blocks: at a million persons, hundreds of candidates per contact), "narrow" pairs names.
BLOCKING = {
    "repo": (("email",), ("last_name",), ("first_name", "company")),
    "narrow": (
        ("email",),
        ("first_name", "last_name"),
        ("last_name", "company"),
        ("first_name", "company"),
    ),
}
TRAINING = {
    "repo": (("email",), ("last_name",)),
    "narrow": (("email",), ("first_name", "last_name")),
}


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
        con = duckdb.connect(config={"temp_directory": str(Path(folder) / "duckdb")})
        for name, path in (("directory", persons), ("contacts", contacts)):
            con.execute(
                f"CREATE TABLE {name} AS SELECT * FROM read_csv('{path}', header = true, "
                "all_varchar = true)"
            )
            for column in COLUMNS[1:]:
                con.execute(f"UPDATE {name} SET {column} = NULL WHERE {column} = ''")
        db_api = DuckDBAPI(con)
        left = db_api.register("directory", dataset_display_name="directory")
        right = db_api.register("contacts", dataset_display_name="contacts")
        settings = SettingsCreator(
            link_type="link_only",
            comparisons=[
                cl.NameComparison("first_name"),
                cl.NameComparison("last_name"),
                cl.JaroWinklerAtThresholds("company", [0.9, 0.8]),
                cl.EmailComparison("email"),
            ],
            blocking_rules_to_generate_predictions=[block_on(*b) for b in BLOCKING[blocking]],
            retain_intermediate_calculation_columns=False,
        )
        linker = Linker([left, right], settings)
        linker.training.estimate_probability_two_random_records_match(
            [block_on("email"), block_on("first_name", "last_name", "company")], recall=0.8
        )
        linker.training.estimate_u_using_random_sampling(max_pairs=1e7)
        for rule in TRAINING[blocking]:
            linker.training.estimate_parameters_using_expectation_maximisation(block_on(*rule))
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
