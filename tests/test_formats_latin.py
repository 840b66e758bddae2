"""Windows-1252 or Windows-1250: an address book's names decide, not the first byte that fits."""

from __future__ import annotations

import pytest

from tiegraph.formats.latin import latin_reading
from tiegraph.formats.text import decode

WESTERN = [
    "Begoña,Søren,begona@example.com,Acme",
    "Françoise,Lefèvre,fl@example.fr,Crédit Agricole",
    "Jürgen,Weiß,jw@example.de,Müller & Söhne",
    "João,Gonçalves,jg@example.pt,Pão de Açúcar",
    "Åsa,Öberg,ao@example.se,Skånska",
    "Ægir,Thórsdóttir,at@example.is,Íslandsbanki",
    "Niccolò,Già,ng@example.it,Caffè",
]
CENTRAL = [
    "Łukasz,Wróbel,lw@example.pl,Gdańsk Świętokrzyska",
    "Antonín,Dvořák,ad@example.cz,Škoda Plzeň",
    "Zoltán,Erdős,ze@example.hu,Győr Műszaki",
    "Ivana,Kovačić,ik@example.hr,Đakovo",
    "Małgorzata,Żółć,mz@example.pl,Łódź",
]


@pytest.mark.parametrize("row", WESTERN)
def test_one_western_row_reads_as_windows_1252(row: str) -> None:
    data = f"First Name,Last Name,E-mail Address,Company\r\n{row}\r\n".encode("cp1252")
    assert latin_reading(data) == "cp1252"
    assert decode(data).text.splitlines()[1] == row


@pytest.mark.parametrize("row", CENTRAL)
def test_one_central_european_row_reads_as_windows_1250(row: str) -> None:
    data = f"First Name,Last Name,E-mail Address,Company\r\n{row}\r\n".encode("cp1250")
    assert latin_reading(data) == "cp1250"
    assert decode(data).text.splitlines()[1] == row


def test_whole_books_of_either_kind() -> None:
    western = "\r\n".join(WESTERN).encode("cp1252")
    central = "\r\n".join(CENTRAL).encode("cp1250")
    assert decode(western).text == "\r\n".join(WESTERN)
    assert decode(central).text == "\r\n".join(CENTRAL)


def test_ascii_and_undecidable_text_prefers_windows_1252() -> None:
    assert latin_reading(b"Smith,John") == "cp1252"
    assert latin_reading("Sánchez".encode("cp1252")) == "cp1252"  # á is the same byte in both


@pytest.mark.parametrize(
    "row", ["Jörg,Lorenz,jl@example.de", "Hélène,Moreau,hm@example.fr", "Åse,Moen,am@example.no"]
)
def test_two_accented_bytes_are_not_read_as_one_chinese_character(row: str) -> None:
    assert decode(row.encode("cp1252")).text == row  # not "J顤g" (Big5) or "H幨鋝e"


@pytest.mark.parametrize(
    ("row", "codec"),
    [
        ("山田,太郎,yamada@example.jp,株式会社東芝", "shift_jis"),
        ("王,伟,wang@example.cn,中国银行股份有限公司", "gb18030"),
        ("Иванов,Сергей,si@example.ru,Газпром", "cp1251"),
    ],
)
def test_other_scripts_keep_their_encoding(row: str, codec: str) -> None:
    assert decode(row.encode(codec)).text == row
