"""The gallery's search index on SQLite (migration 0026): one FTS5 trigram row per person and
per contact, holding its name, title, company and emails, kept by triggers.

A search of at least three characters reads its candidates from the index
(services/contacts/gallery_query.py) and then applies the search's own condition to those
few, so the index only has to find a superset: FTS5's trigrams fold case (Unicode), which
finds every row `lower(column) LIKE` does. The fields are joined by a character no search
holds (0x01), so no trigram spans two fields that a search could match.
On PostgreSQL there is no index yet: the search reads every row as before.
"""

from __future__ import annotations

__all__ = ["INDEXES", "create_statements", "drop_statements", "text_of"]

SEPARATOR = "char(1)"

# index table -> (indexed table, its emails' table, the emails' key, the company's text)
INDEXES = {
    "person_search": (
        "person",
        "person_email",
        "person_id",
        "(SELECT c.name FROM company c WHERE c.org_id = t.org_id AND c.id = t.company_id)",
    ),
    "contact_search": ("contact", "contact_email", "contact_id", "t.company"),
}


def text_of(index: str) -> str:
    """A SELECT of (rowid, org_id, text) of every row of the indexed table, to add WHERE to."""
    table, emails, key, company = INDEXES[index]
    found = (
        f"(SELECT group_concat(e.email, {SEPARATOR}) FROM {emails} e "
        f"WHERE e.org_id = t.org_id AND e.{key} = t.id)"
    )
    return (
        f"SELECT t.id, t.org_id, t.full_name || {SEPARATOR} || t.title || {SEPARATOR} || "
        f"coalesce({company}, '') || {SEPARATOR} || coalesce({found}, '') FROM {table} t"
    )


def _refresh(index: str, ids: str) -> str:
    """Trigger body statements: the index rows of `ids` (a SQL list) made again."""
    return (
        f"DELETE FROM {index} WHERE rowid IN ({ids}); "
        f"INSERT INTO {index} (rowid, org_id, text) {text_of(index)} WHERE t.id IN ({ids});"
    )


def _triggers(index: str) -> list[str]:
    table, emails, key, _ = INDEXES[index]
    made = [
        f"CREATE TRIGGER {index}_insert AFTER INSERT ON {table} BEGIN "
        f"{_refresh(index, 'NEW.id')} END",
        f"CREATE TRIGGER {index}_update AFTER UPDATE OF full_name, title, "
        f"{'company_id' if table == 'person' else 'company'} ON {table} BEGIN "
        f"{_refresh(index, 'NEW.id')} END",
        f"CREATE TRIGGER {index}_delete AFTER DELETE ON {table} BEGIN "
        f"DELETE FROM {index} WHERE rowid = OLD.id; END",
        f"CREATE TRIGGER {index}_email_insert AFTER INSERT ON {emails} BEGIN "
        f"{_refresh(index, f'NEW.{key}')} END",
        f"CREATE TRIGGER {index}_email_update AFTER UPDATE ON {emails} BEGIN "
        f"{_refresh(index, f'OLD.{key}, NEW.{key}')} END",
        f"CREATE TRIGGER {index}_email_delete AFTER DELETE ON {emails} BEGIN "
        f"{_refresh(index, f'OLD.{key}')} END",
    ]
    if table == "person":  # a renamed employer changes the text of everyone it employs
        made.append(
            f"CREATE TRIGGER {index}_company_update AFTER UPDATE OF name ON company BEGIN "
            + _refresh(
                index,
                "SELECT p.id FROM person p WHERE p.org_id = NEW.org_id AND p.company_id = NEW.id",
            )
            + " END"
        )
    return made


def create_statements() -> list[str]:
    """The statements making both indexes, filling them, and making their triggers (SQLite)."""
    made = []
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
    return dropped
