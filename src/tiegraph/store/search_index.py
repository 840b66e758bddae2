"""The gallery's search index on SQLite (migration 0028): one FTS5 trigram row per person and
per contact, holding its name, title, company and emails, refreshed set-based once per write
transaction.

Writes only note which rows changed: a trigger per written row appends its key to
`search_pending` (one small insert, nothing read). Before each write transaction commits
(store/engine.py), `refresh_pending` rebuilds the index rows of every noted key with one DELETE
and one INSERT ... SELECT per index, then empties the list — in the same transaction, so a crash
loses both or neither and what is committed is always equal to a full rebuild. A search takes
its candidates from the index and the pending keys (a write made outside a store transaction
is found too) and applies its own condition to those few (services/contacts/gallery_query.py),
so the index only has to find a superset: FTS5's trigrams fold case (Unicode), which finds every
row `lower(column) LIKE` does. The fields are joined by a character no search holds (0x01), so
no trigram spans two fields. PostgreSQL has pg_trgm indexes instead (store/schema.py).
"""

from __future__ import annotations

from sqlalchemy import Connection, text

__all__ = ["INDEXES", "PENDING", "create_statements", "drop_statements", "refresh_pending"]

SEPARATOR = "char(1)"
PENDING = "search_pending"

# index table -> (kind noted in PENDING, indexed table, its emails' table, the emails' key,
# the company's text)
INDEXES = {
    "person_search": (
        "person",
        "person",
        "person_email",
        "person_id",
        "(SELECT c.name FROM company c WHERE c.org_id = t.org_id AND c.id = t.company_id)",
    ),
    "contact_search": ("contact", "contact", "contact_email", "contact_id", "t.company"),
}


def text_of(index: str) -> str:
    """A SELECT of (rowid, org_id, text) of every row of the indexed table, to add WHERE to."""
    _, table, emails, key, company = INDEXES[index]
    found = (
        f"(SELECT group_concat(e.email, {SEPARATOR}) FROM {emails} e "
        f"WHERE e.org_id = t.org_id AND e.{key} = t.id)"
    )
    return (
        f"SELECT t.id, t.org_id, t.full_name || {SEPARATOR} || t.title || {SEPARATOR} || "
        f"coalesce({company}, '') || {SEPARATOR} || coalesce({found}, '') FROM {table} t"
    )


def _note(kind: str, org: str, key: str) -> str:
    return f"INSERT INTO {PENDING} (org_id, kind, id) VALUES ({org}, '{kind}', {key});"


def _changed(*columns: str) -> str:
    """A trigger's WHEN: some of these columns changed (an upsert rewriting the same values
    notes nothing)."""
    return " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in columns)


def _triggers(index: str) -> list[str]:
    """Triggers noting the keys whose index row a write changes (nothing else)."""
    kind, table, emails, key, _ = INDEXES[index]
    texts = ("full_name", "title", "company_id" if table == "person" else "company")
    made = [
        f"CREATE TRIGGER {index}_insert AFTER INSERT ON {table} BEGIN "
        f"{_note(kind, 'NEW.org_id', 'NEW.id')} END",
        f"CREATE TRIGGER {index}_update AFTER UPDATE OF {', '.join(texts)} ON {table} "
        f"WHEN {_changed(*texts)} BEGIN {_note(kind, 'NEW.org_id', 'NEW.id')} END",
        f"CREATE TRIGGER {index}_delete AFTER DELETE ON {table} BEGIN "
        f"{_note(kind, 'OLD.org_id', 'OLD.id')} END",
        f"CREATE TRIGGER {index}_email_insert AFTER INSERT ON {emails} BEGIN "
        f"{_note(kind, 'NEW.org_id', f'NEW.{key}')} END",
        f"CREATE TRIGGER {index}_email_update AFTER UPDATE ON {emails} "
        f"WHEN {_changed('email', key, 'org_id')} BEGIN "
        f"{_note(kind, 'OLD.org_id', f'OLD.{key}')} {_note(kind, 'NEW.org_id', f'NEW.{key}')} END",
        f"CREATE TRIGGER {index}_email_delete AFTER DELETE ON {emails} BEGIN "
        f"{_note(kind, 'OLD.org_id', f'OLD.{key}')} END",
    ]
    if table == "person":  # a renamed employer changes the text of everyone it employs
        made.append(
            f"CREATE TRIGGER {index}_company_update AFTER UPDATE OF name ON company "
            f"WHEN {_changed('name')} BEGIN "
            f"INSERT INTO {PENDING} (org_id, kind, id) SELECT p.org_id, '{kind}', p.id "
            "FROM person p WHERE p.org_id = NEW.org_id AND p.company_id = NEW.id; END"
        )
    return made


def create_statements() -> list[str]:
    """The statements making both indexes and the pending list, filling the indexes, and
    making the triggers that note changed keys (SQLite)."""
    # No key: a key noted twice is refreshed once (IN), and an UPSERT's own ON CONFLICT would
    # override a trigger's OR IGNORE. Appending is the cheapest write there is.
    made = [
        f"CREATE TABLE {PENDING} (org_id INTEGER NOT NULL, kind TEXT NOT NULL, id INTEGER NOT NULL)"
    ]
    for index in INDEXES:
        made += [
            f"CREATE VIRTUAL TABLE {index} USING fts5(org_id UNINDEXED, text, "
            "tokenize = 'trigram')",
            f"INSERT INTO {index} (rowid, org_id, text) {text_of(index)}",
            *_triggers(index),
        ]
    return made


def drop_statements() -> list[str]:
    """The statements dropping what `create_statements` made."""
    dropped = []
    for index in INDEXES:
        names = ["insert", "update", "delete", "email_insert", "email_update", "email_delete"]
        names += ["company_update"] if index == "person_search" else []
        dropped += [f"DROP TRIGGER IF EXISTS {index}_{name}" for name in names]
        dropped.append(f"DROP TABLE IF EXISTS {index}")
    return [*dropped, f"DROP TABLE IF EXISTS {PENDING}"]


def refresh_pending(conn: Connection) -> None:
    """Rebuild the index rows of every noted key, set-based, and empty the list (SQLite, in
    the writer's transaction; a no-op read when nothing was noted)."""
    if conn.exec_driver_sql(f"SELECT 1 FROM {PENDING} LIMIT 1").first() is None:
        return
    for index, (kind, *_) in INDEXES.items():
        noted = f"SELECT id FROM {PENDING} WHERE kind = :kind"
        conn.execute(text(f"DELETE FROM {index} WHERE rowid IN ({noted})"), {"kind": kind})
        made = f"INSERT INTO {index} (rowid, org_id, text) {text_of(index)}"
        conn.execute(text(f"{made} WHERE t.id IN ({noted})"), {"kind": kind})
    conn.exec_driver_sql(f"DELETE FROM {PENDING}")
