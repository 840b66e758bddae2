"""Name normalization: accents, apostrophes, particles, full-name splitting, nicknames."""

from __future__ import annotations

import csv
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tiegraph.core.names import (
    first_name_variants,
    fold_accents,
    last_name_key,
    normalize_name_part,
    same_first_name,
    split_full_name,
)

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Müller", "muller"),
        ("MÜLLER", "muller"),
        ("Mu\u0308ller", "muller"),  # decomposed umlaut
        ("José", "jose"),
        ("François", "francois"),
        ("Dvořák", "dvorak"),
        ("Øyvind", "oyvind"),
        ("Łukasz", "lukasz"),
        ("Ærø", "aero"),
        ("Straße", "strasse"),
        ("İlkay", "ilkay"),
        ("Işık", "isik"),
        ("Đorđević", "dordevic"),
        ("Nguyễn", "nguyen"),
        ("ГОРБАЧЁВ", "горбачев"),
        ("Ἀλέξανδρος", "αλεξανδροσ"),
        ("O'Brien", "obrien"),
        ("O’Brien", "obrien"),
        ("OBrien", "obrien"),
        ("D`Angelo", "dangelo"),
        ("Jean-Luc", "jean luc"),
        ("Jean Luc", "jean luc"),
        ("jean–luc", "jean luc"),  # en dash
        ("  Mary   Ann  ", "mary ann"),
        ("J.R.R.", "j r r"),
        ("Ｊｏｈｎ", "john"),
        ("Anna 🚀 2", "anna"),
        ("山田", "山田"),
        ("김민준", "김민준"),
        ("ガンダム", "ガンダム"),  # kana voicing marks are part of the letter
        ("ｶﾞﾝﾀﾞﾑ", "ガンダム"),  # half-width kana
        ("राम", "राम"),  # Devanagari vowel signs kept
        ("", ""),
        ("--", ""),
    ],
)
def test_normalize_name_part(raw: str, expected: str) -> None:
    assert normalize_name_part(raw) == expected


def test_fold_accents_keeps_digits_and_punctuation() -> None:
    assert fold_accents("Société Générale 2") == "societe generale 2"


@pytest.mark.parametrize(
    ("last", "key"),
    [
        ("van der Berg", "berg"),
        ("Van Der Berg", "berg"),
        ("Berg", "berg"),
        ("de la Cruz", "cruz"),
        ("De La Cruz", "cruz"),
        ("von Neumann", "neumann"),
        ("da Silva", "silva"),
        ("di Maio", "maio"),
        ("Le Pen", "pen"),
        ("ter Stegen", "stegen"),
        ("bin Salman", "salman"),
        ("al-Rashid", "rashid"),
        ("Al Rashid", "rashid"),
        ("Le", "le"),  # a name made only of a particle keeps it
        ("Van", "van"),
        ("Smith-Jones", "smithjones"),
        ("Smith Jones", "smithjones"),
        ("O'Brien", "obrien"),
        ("Vanderberg", "vanderberg"),  # one word: cannot be told from a particle
        ("García Márquez", "garciamarquez"),
        ("", ""),
    ],
)
def test_last_name_key(last: str, key: str) -> None:
    assert last_name_key(last) == key


@pytest.mark.parametrize(
    ("full", "expected"),
    [
        ("John Smith", ("John", "Smith")),
        ("Smith, John", ("John", "Smith")),
        ("Smith,John", ("John", "Smith")),
        ("Dr. Jane Doe", ("Jane", "Doe")),
        ("Mr John Smith", ("John", "Smith")),
        ("Prof. Dr. Hans Müller", ("Hans", "Müller")),
        ("Jane Doe, PhD", ("Jane", "Doe")),
        ("Jane Doe, PhD, MBA", ("Jane", "Doe")),
        ("John Smith Jr.", ("John", "Smith")),
        ("Henry Ford III", ("Henry", "Ford")),
        ("Martin Luther King, Jr.", ("Martin Luther", "King")),
        ("Smith, Dr. John III", ("John", "Smith")),
        ("John Smith MBA", ("John", "Smith")),
        ("Jack Ma", ("Jack", "Ma")),  # a surname that looks like a degree stays
        ("Ludwig van Beethoven", ("Ludwig", "van Beethoven")),
        ("Vincent van der Berg", ("Vincent", "van der Berg")),
        ("Juan de la Cruz", ("Juan", "de la Cruz")),
        ("Leonardo da Vinci", ("Leonardo", "da Vinci")),
        ("Luigi di Maio", ("Luigi", "di Maio")),
        ("Marine Le Pen", ("Marine", "Le Pen")),
        ("Gerard ter Steege", ("Gerard", "ter Steege")),
        ("Mohammed bin Salman", ("Mohammed", "bin Salman")),
        ("Abdullah al-Rashid", ("Abdullah", "al-Rashid")),
        ("Van Morrison", ("Van", "Morrison")),  # a particle first is a given name
        ("John Paul Smith", ("John Paul", "Smith")),
        ("Jean-Luc Picard", ("Jean-Luc", "Picard")),
        ("Robert (Bob) Smith", ("Robert", "Smith")),
        ("Jane Doe (she/her)", ("Jane", "Doe")),
        ("John Smith, CFA 🚀", ("John", "Smith")),
        ("Dr. Smith", ("", "Smith")),
        ("Bob", ("Bob", "")),
        ("Mr.", ("", "")),
        ("", ("", "")),
        ("  ,  ", ("", "")),
        ("山田太郎", ("太郎", "山田")),
        ("山田 太郎", ("太郎", "山田")),
        ("山田はなこ", ("はなこ", "山田")),
        ("山田太郎様", ("太郎", "山田")),  # honorific dropped
        ("王伟", ("伟", "王")),
        ("毛泽东", ("泽东", "毛")),
        ("欧阳娜娜", ("娜娜", "欧阳")),
        ("司马懿", ("懿", "司马")),
        ("김민준", ("민준", "김")),
        ("남궁민수", ("민수", "남궁")),
        ("ジョン・スミス", ("ジョン", "スミス")),
    ],
)
def test_split_full_name(full: str, expected: tuple[str, str]) -> None:
    assert split_full_name(full) == expected


def test_split_enron_employee_names() -> None:
    path = SHARED_DATA / "enron-igraph" / "enron_employees.csv"
    if not path.exists():
        pytest.skip(f"shared data not present: {path}")
    with path.open(newline="") as fh:
        names = [row["name"] for row in csv.DictReader(fh) if row["name"] != "NA"]  # NA: unknown
    assert len(names) == 160
    for name in names:
        first, last = split_full_name(name)
        assert first and last, name
        assert f"{first} {last}" == " ".join(name.split()), name


@pytest.mark.parametrize(
    ("name", "variant"),
    [
        *(("Bob", "robert"), ("Robert", "bob"), ("Bill", "william"), ("William", "bill")),
        *(("Liz", "elizabeth"), ("Elizabeth", "liz"), ("Peggy", "margaret"), ("Jim", "james")),
    ],
)
def test_first_name_variants(name: str, variant: str) -> None:
    variants = first_name_variants(name)
    assert normalize_name_part(name) in variants
    assert variant in variants


def test_first_name_variants_of_unknown_and_empty_names() -> None:
    assert first_name_variants("Zyxwq") == frozenset({"zyxwq"})
    assert first_name_variants("Jean-Luc") == frozenset({"jean luc"})
    assert first_name_variants("") == frozenset()


def test_nickname_table_is_loaded_once() -> None:
    assert first_name_variants("Bob") is first_name_variants("BOB")


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("Bob", "Robert", True),
        ("robert", "BOB", True),
        ("Bill", "William", True),
        ("Liz", "Elizabeth", True),
        ("José", "jose", True),
        ("Jean-Luc", "Jean Luc", True),
        ("John", "John", True),
        ("Bob", "Bill", False),  # both linked to Robert, but not to each other
        ("John", "Jane", False),
        ("Bob", "", False),
        ("", "", False),
    ],
)
def test_same_first_name(a: str, b: str, same: bool) -> None:
    assert same_first_name(a, b) is same
    assert same_first_name(b, a) is same


@settings(database=None, max_examples=300)
@given(st.text())
def test_name_normalization_is_idempotent(raw: str) -> None:
    once = normalize_name_part(raw)
    assert normalize_name_part(once) == once
    assert once == " ".join(once.split())
    assert all(ch == " " or unicodedata.category(ch)[0] in "LM" for ch in once)
    key = last_name_key(raw)
    assert last_name_key(key) == key
    assert " " not in key


@settings(database=None, max_examples=300)
@given(st.text())
def test_split_full_name_never_fails(full: str) -> None:
    first, last = split_full_name(full)
    assert isinstance(first, str)
    assert isinstance(last, str)
