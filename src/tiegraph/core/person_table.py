"""The directory's persons as matching reads them: flat arrays under hashed keys, saved as bytes.

A million persons held as Python objects (a dict entry per key, a tuple per person) take
seconds to build or unpickle and half a gigabyte. Here every person is a row number, names
are numbers in vocabularies, and each lookup table is one sorted array of 63-bit integers,
`hash << ROW_BITS | row`, searched by bisection: loading a saved table is a few large copies,
whatever the directory's size (bench/bench_import.py).

Hashes are of tuples of vocabulary numbers (Python hashes integers and their tuples the same
way in every process, unlike strings) and of CRC-32s of strings, so a table saved by one
process answers in another. A hash only proposes rows: callers check every row against the
person's own values, so a collision costs a comparison, never a wrong match.
"""

from __future__ import annotations

import marshal
import struct
import sys
import zlib
from array import array
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from itertools import accumulate
from typing import Any

from tiegraph.core.match_keys import PersonKeys

__all__ = ["MAX_PERSONS", "PersonTable", "TableFormatError"]

ROW_BITS = 24
MAX_PERSONS = 1 << ROW_BITS
_ROW = MAX_PERSONS - 1
# What a key keeps of its hash. A test sets it to 0 to prove that collisions are checked.
_MASK = (1 << (63 - ROW_BITS)) - 1
# Phones and profile URLs are filed with the emails, as these prefixes plus their normal form:
# no email address contains a colon, so the three never meet.
PHONE, PROFILE = "tel:", "url:"
# One letter off in a short family name is usually another family name (Li/Lu, Kim/Kin, Lee/Lea).
MIN_TYPO_LENGTH = 4
# 2: phones and profile URLs with the emails; 3: buckets; 4: role keys (name, employer, title)
_MAGIC = b"tiegraph person table 4\n"
# Keys are found by bisection inside the bucket of their top BUCKET_BITS bits (key_starts):
# 8 million keys make 65,536 buckets of about 130, searched in 7 steps instead of 23.
BUCKET_BITS = 16
_BUCKET_SHIFT = 63 - BUCKET_BITS  # keys are below 2**63
_EXACT, _INITIAL, _COMPANY, _EMAIL, _NAME, _ROLE = 1, 2, 3, 4, 5, 6


class TableFormatError(ValueError):
    """Saved bytes that are not a person table of this version, platform and Python."""


def _crc(text: str) -> int:
    return zlib.crc32(text.encode("utf-8", "surrogatepass"))


def deletions(word: str) -> tuple[str, ...]:
    """`word` with one letter deleted, each way (SymSpell's deletion neighbourhood, distance 1)."""
    return tuple(dict.fromkeys(word[:i] + word[i + 1 :] for i in range(len(word))))


class PersonTable:
    """Rows of persons: first and last name, employers' names, company ids, emails; and keys.

    `keys` holds, as hash << ROW_BITS | row, for every person with both names: a name (first,
    last), exact (first, last, employer name), initial (last, employer name, first letter),
    company (first, last, company id) and role (first, last, employer name and each title held
    there, or an empty title when none is on file) keys; and for every person, one key per
    address (email, phone, profile URL).
    `last_forms` holds every distinct last name (of 4 letters or more) under itself and each of
    its one-deletion forms, as CRC-32 << ROW_BITS | last-name number.
    """

    def __init__(self) -> None:
        self.person_ids: list[str] = []
        self.first_names: list[str] = []  # vocabularies: number -> string
        self.last_names: list[str] = []
        self.names: list[str] = []  # employers' normalized names, and "#id" for address-only
        self.company_ids: list[str] = []
        # Every person's addresses, row after row, as one UTF-8 text: address j is
        # email_text[email_ends[j]:email_ends[j + 1]] (no million small strings to load).
        self.email_text: bytes | memoryview = b""
        self.email_ends: Sequence[int] = array("q", [0])
        self._emails: list[str] = []  # while built
        # Per row: vocabulary numbers (arrays while built; views of the bytes when loaded).
        self.first: Sequence[int] = array("i")
        self.last: Sequence[int] = array("i")
        # Row r's names are names_of[names_at[r]:names_at[r + 1]]; the same for ids and emails.
        self.names_at: Sequence[int] = array("i", [0])
        self.names_of: Sequence[int] = array("i")
        self.ids_at: Sequence[int] = array("i", [0])
        self.ids_of: Sequence[int] = array("i")
        self.emails_at: Sequence[int] = array("i", [0])
        self.keys: Sequence[int] = array("q")
        self.key_starts: Sequence[int] = array("q", [0] * ((1 << BUCKET_BITS) + 1))
        self.last_forms: Sequence[int] = array("q")
        # Person ids that are all numbers (the store's) are kept as numbers: less to keep and
        # to load than a million strings.
        self._numbers: Sequence[int] | None = None
        self._index_vocabularies()

    def _index_vocabularies(self) -> None:
        self.first_id = {s: i for i, s in enumerate(self.first_names)}
        self.last_id = {s: i for i, s in enumerate(self.last_names)}
        self.name_id = {s: i for i, s in enumerate(self.names)}
        self.company_id = {s: i for i, s in enumerate(self.company_ids)}

    def __len__(self) -> int:
        return len(self.person_ids) if self._numbers is None else len(self._numbers)

    def person_id(self, row: int) -> str:
        return self.person_ids[row] if self._numbers is None else str(self._numbers[row])

    # --- building ------------------------------------------------------------------------------

    @classmethod
    def build(cls, persons: Iterable[tuple[str, PersonKeys]]) -> PersonTable:
        table = cls()
        keys: list[int] = []
        forms: list[int] = []
        filed_lasts: set[int] = set()
        vocab_first, vocab_last = table.first_id, table.last_id
        vocab_name, vocab_id = table.name_id, table.company_id
        person_ids, emails = table.person_ids, table._emails
        first_of, last_of = array("i"), array("i")
        names_at, names_of = array("i", [0]), array("i")
        ids_at, ids_of, emails_at = array("i", [0]), array("i"), array("i", [0])
        mask = _MASK
        for person_id, p in persons:
            row = len(person_ids)
            if row == MAX_PERSONS:
                raise ValueError(f"a person table holds at most {MAX_PERSONS:,} persons")
            person_ids.append(person_id)
            # A person known only by a work address is filed under its company id.
            written = p.companies or tuple(f"#{cid}" for cid in p.company_ids)
            name_ids = [vocab_name.setdefault(n, len(vocab_name)) for n in written]
            id_ids = [vocab_id.setdefault(c, len(vocab_id)) for c in p.company_ids]
            first = vocab_first.setdefault(p.first, len(vocab_first))
            last = vocab_last.setdefault(p.last, len(vocab_last))
            first_of.append(first)
            last_of.append(last)
            names_of.extend(name_ids)
            names_at.append(len(names_of))
            ids_of.extend(id_ids)
            ids_at.append(len(ids_of))
            handles = p.emails
            if p.phones or p.profiles:
                handles = (
                    *p.emails,
                    *(PHONE + x for x in p.phones),
                    *(PROFILE + x for x in p.profiles),
                )
            emails += handles
            emails_at.append(len(emails))
            keys += [(hash((_EMAIL, _crc(e))) & mask) << ROW_BITS | row for e in handles]
            if not (p.first and p.last):
                continue
            initial = ord(p.first[0])
            keys.append((hash((_NAME, first, last)) & mask) << ROW_BITS | row)
            for name in name_ids:
                keys.append((hash((_EXACT, first, last, name)) & mask) << ROW_BITS | row)
                keys.append((hash((_INITIAL, last, name, initial)) & mask) << ROW_BITS | row)
            for company in id_ids:
                keys.append((hash((_COMPANY, first, last, company)) & mask) << ROW_BITS | row)
            for role in p.roles:  # each title held at each employer, or none on file there
                keys.append((hash((_ROLE, first, last, _crc(role))) & mask) << ROW_BITS | row)
            if last not in filed_lasts and len(p.last) >= MIN_TYPO_LENGTH:
                filed_lasts.add(last)
                forms += [(_crc(f) & mask) << ROW_BITS | last for f in (p.last, *deletions(p.last))]
        table.first, table.last, table.emails_at = first_of, last_of, emails_at
        table.names_at, table.names_of, table.ids_at, table.ids_of = (
            names_at,
            names_of,
            ids_at,
            ids_of,
        )
        table._finish(keys, forms)
        return table

    def _finish(self, keys: list[int], forms: list[int]) -> None:
        encoded = [e.encode("utf-8", "surrogatepass") for e in self._emails]
        self.email_text = b"".join(encoded)
        self.email_ends = array("q", accumulate(map(len, encoded), initial=0))
        self._emails = []
        self.first_names, self.last_names = list(self.first_id), list(self.last_id)
        self.names, self.company_ids = list(self.name_id), list(self.company_id)
        self.keys = _sorted(keys)
        self.key_starts = _starts(self.keys)
        self.last_forms = _sorted(forms)
        ids = self.person_ids
        if all(i.isdecimal() and i.isascii() and str(int(i)) == i for i in ids):
            self._numbers, self.person_ids = array("q", map(int, ids)), []

    # --- reading -------------------------------------------------------------------------------

    def rows_by_email(self, email: str) -> list[int]:
        """Rows of persons with this (normalized) address."""
        return self._rows_by_handle(email)

    def rows_by_phone(self, phone: str) -> list[int]:
        """Rows of persons with this phone number (E.164)."""
        return self._rows_by_handle(PHONE + phone)

    def rows_by_profile(self, url: str) -> list[int]:
        """Rows of persons with this profile URL (normalize_profile_url)."""
        return self._rows_by_handle(PROFILE + url)

    def _rows_by_handle(self, handle: str) -> list[int]:
        wanted = handle.encode("utf-8", "surrogatepass")
        return [
            row
            for row in self._rows(hash((_EMAIL, zlib.crc32(wanted))))
            if wanted in self._emails_of(row)
        ]

    def handles_of(self, row: int) -> list[str]:
        """The row's emails, then its phones and profile URLs (with their prefixes)."""
        return [bytes(h).decode("utf-8", "surrogatepass") for h in self._emails_of(row)]

    def _emails_of(self, row: int) -> list[bytes | memoryview]:
        ends, text = self.email_ends, self.email_text
        return [
            text[ends[j] : ends[j + 1]] for j in range(self.emails_at[row], self.emails_at[row + 1])
        ]

    def exact(self, first: str, last: str, name: str) -> list[int]:
        """Rows of persons with exactly this first name, last name and employer name."""
        f, ln, n = self.first_id.get(first), self.last_id.get(last), self.name_id.get(name)
        if f is None or ln is None or n is None:
            return []
        return [
            row
            for row in self._rows(hash((_EXACT, f, ln, n)))
            if self.first[row] == f and self.last[row] == ln and self.works_at(row, n)
        ]

    def with_role(self, first: str, last: str, role: str) -> list[int]:
        """Rows of persons of this first and last name filed with this role (role_key: an
        employer and the title held there). Only the name is checked: the role is not kept,
        so a caller takes these only among rows it found by their employer (`exact`)."""
        f, ln = self.first_id.get(first), self.last_id.get(last)
        if f is None or ln is None:
            return []
        rows = self._rows(hash((_ROLE, f, ln, _crc(role))))
        return [row for row in rows if self.first[row] == f and self.last[row] == ln]

    def count_named(self, first: str, last: str, at_most: int) -> int:
        """How many persons have exactly this first and last name, counted up to `at_most`."""
        f, ln = self.first_id.get(first), self.last_id.get(last)
        if f is None or ln is None:
            return 0
        keys, count = self.keys, 0
        low = (hash((_NAME, f, ln)) & _MASK) << ROW_BITS
        i, end = self._bucket(low)
        high = low | _ROW
        while count < at_most and i < end and keys[i] <= high:
            row = keys[i] & _ROW
            count += self.first[row] == f and self.last[row] == ln
            i += 1
        return count

    def initials(self, last: str, name: str, initial: str) -> list[int]:
        """Rows of persons with this last name and employer whose first name has this initial."""
        ln, n = self.last_id.get(last), self.name_id.get(name)
        if ln is None or n is None:
            return []
        return [
            row
            for row in self._rows(hash((_INITIAL, ln, n, ord(initial))))
            if self.last[row] == ln and self.works_at(row, n)
        ]

    def at_company(self, first: str, last: str, company_id: str) -> list[int]:
        """Rows of persons with this first and last name tied to this company id (by an
        employer's name or a work address)."""
        f, ln, c = self.first_id.get(first), self.last_id.get(last), self.company_id.get(company_id)
        if f is None or ln is None or c is None:
            return []
        return [
            row
            for row in self._rows(hash((_COMPANY, f, ln, c)))
            if self.first[row] == f and self.last[row] == ln and self._has_id(row, c)
        ]

    def employer_names(self, row: int) -> list[str]:
        """The row's employers' normalized names ("#id" each when it has only work addresses)."""
        return [self.names[n] for n in self.names_of[self.names_at[row] : self.names_at[row + 1]]]

    def works_at(self, row: int, name: int) -> bool:
        return name in self.names_of[self.names_at[row] : self.names_at[row + 1]]

    def _has_id(self, row: int, company: int) -> bool:
        return company in self.ids_of[self.ids_at[row] : self.ids_at[row + 1]]

    def first_name(self, row: int) -> str:
        return self.first_names[self.first[row]]

    def last_names_near(self, last: str) -> set[str]:
        """Directory last names sharing `last` or one of its one-deletion forms."""
        return {
            self.last_names[number]
            for form in (last, *deletions(last))
            for number in _rows(self.last_forms, _crc(form))
        }

    def _rows(self, key: int) -> list[int]:
        """Rows filed under `key` in `keys`, looked for inside its bucket."""
        bucket = ((key & _MASK) << ROW_BITS) >> _BUCKET_SHIFT
        return _rows(self.keys, key, self.key_starts[bucket], self.key_starts[bucket + 1])

    def _bucket(self, low: int) -> tuple[int, int]:
        """Where the first key from `low` is (or would be) in `keys`, and its bucket's end."""
        bucket = low >> _BUCKET_SHIFT
        start, end = self.key_starts[bucket], self.key_starts[bucket + 1]
        return bisect_left(self.keys, low, start, end), end

    # --- saving --------------------------------------------------------------------------------

    def to_bytes(self) -> bytes:
        parts = self._sections()
        header = marshal.dumps(
            {
                "python": list(sys.version_info[:2]),
                "byteorder": sys.byteorder,
                "row_bits": ROW_BITS,
                "mask": _MASK,
                "sections": [(name, len(data)) for name, data in parts],
            }
        )
        return b"".join([_MAGIC, struct.pack("<Q", len(header)), header, *(d for _, d in parts)])

    def _sections(self) -> list[tuple[str, bytes]]:
        arrays = [(name, getattr(self, name)) for name in _ARRAYS]
        if self._numbers is not None:
            arrays.append(("_numbers", self._numbers))
        return [
            ("strings", marshal.dumps([getattr(self, name) for name in _STRINGS])),
            ("email_text", bytes(self.email_text)),
            *((name, memoryview(values).tobytes()) for name, values in arrays),
        ]

    @classmethod
    def from_bytes(cls, data: bytes | bytearray | memoryview) -> PersonTable:
        """A table saved by `to_bytes`; TableFormatError when it cannot be read here.

        The arrays are views of `data`, not copies: it stays in memory as long as the table.
        """
        view = memoryview(data)
        if bytes(view[: len(_MAGIC)]) != _MAGIC:
            raise TableFormatError("not a saved person table")
        start = len(_MAGIC) + 8
        (length,) = struct.unpack("<Q", view[len(_MAGIC) : start])
        header: dict[str, Any] = marshal.loads(view[start : start + length])
        expected = (list(sys.version_info[:2]), sys.byteorder, ROW_BITS, _MASK)
        if (header["python"], header["byteorder"], header["row_bits"], header["mask"]) != expected:
            raise TableFormatError("a person table saved by another Python or platform")
        table = cls()
        at = start + length
        for name, size in header["sections"]:
            chunk = view[at : at + size]
            at += size
            if name == "strings":
                for attr, values in zip(_STRINGS, marshal.loads(chunk), strict=True):
                    setattr(table, attr, values)
            elif name == "email_text":
                table.email_text = chunk
            else:
                setattr(table, name, chunk.cast("q") if name in _WIDE else chunk.cast("i"))
        table._index_vocabularies()
        return table


_STRINGS = ("person_ids", "first_names", "last_names", "names", "company_ids")
_WIDE = ("keys", "key_starts", "last_forms", "_numbers", "email_ends")  # 64-bit; others 32-bit
_ARRAYS = (
    "first",
    "last",
    "names_at",
    "names_of",
    "ids_at",
    "ids_of",
    "emails_at",
    "email_ends",
    "keys",
    "key_starts",
    "last_forms",
)


def _sorted(values: list[int]) -> array[int]:
    """`values` sorted, as an array; emptied. Sorted in 4,096 runs by their top bits, each of
    which fits the CPU's caches: 8 million keys in 2.9 s instead of 3.7 s."""
    runs: list[list[int]] = [[] for _ in range(4096)]
    for value in values:
        runs[value >> 51].append(value)
    values.clear()
    result = array("q")
    for run in runs:
        run.sort()
        result.extend(run)
    return result


def _starts(keys: Sequence[int]) -> array[int]:
    """Where each bucket of sorted `keys` starts, and the end of the last."""
    return array(
        "q",
        [*(bisect_left(keys, b << _BUCKET_SHIFT) for b in range(1 << BUCKET_BITS)), len(keys)],
    )


def _rows(table: Sequence[int], key: int, start: int = 0, end: int | None = None) -> list[int]:
    """Rows filed under `key` in a sorted array of hash << ROW_BITS | row (in table[start:end],
    where its keys are known to be)."""
    low = (key & _MASK) << ROW_BITS
    high = low | _ROW
    end = len(table) if end is None else end
    i = bisect_left(table, low, start, end)
    rows = []
    while i < end and table[i] <= high:
        rows.append(table[i] & _ROW)
        i += 1
    return rows
