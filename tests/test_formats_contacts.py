"""Address-book readers on the export variants real clients write, and on real sample cards."""

from __future__ import annotations

import codecs
import contextlib
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tiegraph.formats.contacts import ContactFile, read_contacts
from tiegraph.formats.records import ContactRecord, NoRecordsError, RowError

SAMPLES = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "samples" / "vcard"


def good(book: ContactFile) -> list[ContactRecord]:
    return [r for r in book.records if isinstance(r, ContactRecord)]


def bad(book: ContactFile) -> list[RowError]:
    return [r for r in book.records if isinstance(r, RowError)]


LINKEDIN_NOW = (
    "Notes:\n"
    '"When exporting your connection data, you may notice that some of the email addresses are'
    " missing. You will only see email addresses for connections who have allowed their"
    ' connections to see or download their email address using this setting."\n'
    "\n"
    "First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"
    "Ana,Pérez,https://www.linkedin.com/in/anaperez,ana@acme.example,Acme Inc.,CFO,22 Dec 2025\n"
    "Bob,Li,https://www.linkedin.com/in/bobli,,Globex,Engineer,03 Jan 2024\n"
    ",,https://www.linkedin.com/in/ghost,,,,01 Feb 2023\n"
)


def test_linkedin_with_the_notes_preamble() -> None:
    book = read_contacts(LINKEDIN_NOW.encode(), file="Connections.csv")
    assert book.format == "linkedin" and book.attempted == 3
    ana, bob = good(book)
    assert (ana.first_name, ana.last_name, ana.emails, ana.company, ana.title) == (
        "Ana",
        "Pérez",
        ("ana@acme.example",),
        "Acme Inc.",
        "CFO",
    )
    assert ana.connected_on == date(2025, 12, 22) and ana.locator == "line 5"
    assert ana.profile_url == ana.source_uid == "https://www.linkedin.com/in/anaperez"
    assert bob.emails == () and bob.connected_on == date(2024, 1, 3)
    (ghost,) = bad(book)
    assert ghost.locator == "line 7" and "no name, email or phone" in ghost.reason


def test_linkedin_2018_without_preamble_urn_emails_and_moved_columns() -> None:
    text = (
        "Email Address,First Name,Last Name,Company,Position,Connected On\n"
        'urn:li:member:12345,Carla,Diaz,Initech,VP,"1/8/18, 6:14 PM"\n'
        "dan@hooli.example,Dan,Ek,Hooli,CTO,15-Jan-24\n"
    )
    book = read_contacts(text.encode(), file="c.csv")
    carla, dan = good(book)
    assert book.format == "linkedin"
    assert carla.emails == () and carla.last_name == "Diaz"
    assert carla.connected_on == date(2018, 1, 8) and dan.connected_on == date(2024, 1, 15)
    assert dan.emails == ("dan@hooli.example",) and dan.company == "Hooli"


def test_linkedin_without_a_header_row_and_a_row_saved_as_one_field() -> None:
    text = (
        "Ana,Pérez,https://www.linkedin.com/in/anaperez,ana@acme.example,Acme,CFO,22 Dec 2025\n"
        '"Bob,Li,https://www.linkedin.com/in/bobli,,Globex,Engineer,03 Jan 2024"\n'
        "Eve,Ng,https://www.linkedin.com/in/eveng,,Umbrella,CEO,04 Jan 2024\n"
    )
    book = read_contacts(text.encode(), file="c.csv")
    assert book.format == "linkedin" and book.attempted == 3
    assert [r.last_name for r in good(book)] == ["Pérez", "Li", "Ng"]
    assert good(book)[1].company == "Globex"


def test_google_new_layout_with_emoji_and_labels() -> None:
    text = (
        "First Name,Middle Name,Last Name,Phonetic First Name,Phonetic Middle Name,"
        "Phonetic Last Name,Nickname,Labels,E-mail 1 - Label,E-mail 1 - Value,"
        "E-mail 2 - Label,E-mail 2 - Value,Phone 1 - Label,Phone 1 - Value,"
        "Organization Name,Organization Title\n"
        "Zoë 🌟,,Müller,Tsoh-ee,,Mueller,Zo,* myContacts,Work,zoe@acme.example,Home,"
        "zoe@home.example,Mobile,+49 151 1234567,Acme GmbH,Head of Sales\n"
    )
    (zoe,) = good(read_contacts(text.encode("utf-8-sig"), file="contacts.csv"))
    assert zoe.first_name == "Zoë 🌟" and zoe.nickname == "Zo"
    assert zoe.emails == ("zoe@acme.example", "zoe@home.example")
    # "Phonetic ... Name" says how a name sounds: not a phone number, not the name itself
    assert zoe.phones == ("+49 151 1234567",) and zoe.title == "Head of Sales"
    assert zoe.last_name == "Müller"


def test_google_old_layout_with_several_values_in_one_cell() -> None:
    text = (
        "Name,Given Name,Additional Name,Family Name,Group Membership,E-mail 1 - Type,"
        "E-mail 1 - Value,Phone 1 - Type,Phone 1 - Value,Organization 1 - Name,"
        "Organization 1 - Title\n"
        "Raj Patel,Raj,,Patel,* My Contacts,* Work,raj@acme.example ::: raj@home.example,"
        "Mobile,+1 415 555 0100 ::: +1 415 555 0101,Acme,Buyer\n"
    )
    book = read_contacts(text.encode("utf-16"), file="google.csv")
    (raj,) = good(book)
    assert book.format == "google" and raj.full_name == "Raj Patel"
    assert raj.emails == ("raj@acme.example", "raj@home.example") and len(raj.phones) == 2


OUTLOOK_HEADERS = {
    "en": "First Name,Last Name,E-mail Address,Company,Job Title,Mobile Phone,Birthday",
    "de": "Vorname,Nachname,E-Mail-Adresse,Firma,Position,Mobiltelefon,Geburtstag",
    "fr": "Prénom,Nom,Adresse de messagerie,Société,Fonction,Téléphone mobile,Anniversaire",
    "es": "Nombre,Apellidos,Dirección de correo electrónico,Organización,Puesto,"
    "Teléfono móvil,Cumpleaños",
    "nl": "Voornaam,Achternaam,E-mailadres,Bedrijf,Functie,Mobiele telefoon,Verjaardag",
    "it": "Nome,Cognome,Indirizzo posta elettronica,Società,Posizione,Cellulare,Compleanno",
    "pt": "Nome,Sobrenome,Endereço de email,Empresa,Cargo,Telefone celular,Aniversário",
}


@pytest.mark.parametrize("locale", sorted(OUTLOOK_HEADERS))
def test_outlook_localized_headers_in_windows_1252(locale: str) -> None:
    text = OUTLOOK_HEADERS[locale] + '\r\nJürgen,Groß,jg@acme.example,Acme AG,"Leiter\r\nVertrieb",'
    text += "+49 30 1234567,0.0.00\r\n"
    book = read_contacts(text.encode("cp1252"), file="outlook.csv")
    (j,) = good(book)
    assert book.format == "outlook"
    assert (j.first_name, j.last_name, j.emails, j.company) == (
        "Jürgen",
        "Groß",
        ("jg@acme.example",),
        "Acme AG",
    )
    assert j.title == "Leiter Vertrieb" and j.phones == ("+49 30 1234567",)


def test_outlook_com_unquoted_other_order_and_semicolons() -> None:
    text = (
        "First Name;Middle Name;Last Name;Title;Suffix;Nickname;E-mail Address;E-mail 2 Address;"
        "Business Phone;Company\n"
        "Lea;;Roth;Dr.;;;lea@acme.example;lea@gmail.example;+41 44 123 45 67;Acme\n"
        "\n"
        ";;;;;;;;;\n"
    )
    book = read_contacts(text.encode(), file="outlook.csv")
    (lea,) = good(book)
    assert book.attempted == 1 and lea.title == ""  # Outlook's Title is Dr./Ms., not a job
    assert lea.emails == ("lea@acme.example", "lea@gmail.example")


THUNDERBIRD = (
    "First Name,Last Name,Display Name,Nickname,Primary Email,Secondary Email,Screen Name,"
    "Work Phone,Home Phone,Fax Number,Pager Number,Mobile Number,Job Title,Department,"
    "Organization,Web Page 1,Notes,\n"
    "Anna,Berg,Anna Berg,,anna.berg@volvo.example,anna@home.example,,+46 8 123 45 67,,"
    "+46 8 000 00 00,,+46 70 111 22 33,Sales Lead,,Volvo AB,,,\n"
)
YAHOO = (
    '"First","Middle","Last","Nickname","Email","Category","Messenger ID","Home","Work",'
    '"Mobile","Alternate Email 1","Alternate Email 2","Title","Company"\n'
    '"Rui","","Costa","","rui@costa.example","","","","","+351 912 345 678",'
    '"rui.costa@work.example","","Engineer","Sonae"\n'
)
CRM = (
    "First Name,Last Name,Title,Account Name,Email,Email Opt Out,Phone,Mailing Address,"
    "Email Domain\n"
    "Kofi,Mensah,VP Sales,Globex Corp,kofi@globex.example,true,+1 415 555 0101,"
    "1 Main St,globex.example\n"
)


def test_other_clients_csv_exports_keep_every_address() -> None:
    (anna,) = good(read_contacts(THUNDERBIRD.encode(), file="abook.csv"))
    assert anna.source_format == "csv"
    assert anna.emails == ("anna.berg@volvo.example", "anna@home.example")
    assert (anna.company, anna.title, anna.full_name) == ("Volvo AB", "Sales Lead", "Anna Berg")
    assert anna.phones == ("+46 8 123 45 67", "+46 70 111 22 33")  # not the fax
    (rui,) = good(read_contacts(YAHOO.encode(), file="yahoo.csv"))
    assert (rui.first_name, rui.last_name, rui.company) == ("Rui", "Costa", "Sonae")
    assert rui.emails == ("rui@costa.example", "rui.costa@work.example")
    (kofi,) = good(read_contacts(CRM.encode(), file="crm.csv"))
    assert (kofi.company, kofi.emails) == ("Globex Corp", ("kofi@globex.example",))


def test_a_broken_row_is_reported_and_its_neighbours_kept() -> None:
    text = "Name,Email\nAna,ana@x.example\n,,\n,not-an-email\nBo,bo@x.example\n"
    book = read_contacts(text.encode(), file="plain.csv")
    assert book.format == "csv" and book.attempted == 3
    assert [r.full_name for r in good(book)] == ["Ana", "Bo"]
    assert [e.locator for e in bad(book)] == ["line 4"]


def test_column_map_reads_any_csv() -> None:
    text = "Kontakt,Adresse électronique,Boîte\nAna Pérez,ana@acme.example,Acme\n"
    mapping = {"Kontakt": "full_name", "adresse électronique": "email", "Boîte": "company"}
    book = read_contacts(text.encode(), file="x.csv", column_map=mapping)
    (ana,) = good(book)
    assert book.format == "csv" and ana.emails == ("ana@acme.example",) and ana.company == "Acme"
    with pytest.raises(ValueError, match="unknown field"):
        read_contacts(text.encode(), file="x.csv", column_map={"Kontakt": "shoe_size"})
    with pytest.raises(ValueError, match="unknown format"):
        read_contacts(text.encode(), file="x.csv", format="palm")


def test_files_without_contacts_say_so() -> None:
    for data in (b"", b"\x89PNG\r\n\x1a\n\x00\x00", b"foo,bar\n1,2\n", b"\xff\xfe"):
        with pytest.raises(NoRecordsError, match="no contacts"):
            read_contacts(data, file="x")
    empty = read_contacts(b"BEGIN:VCARD\nEND:VCARD", file="x")
    assert empty.attempted == 1 and bad(empty)[0].reason == "card has no name, email or phone"


def test_vcard_21_quoted_printable_folding_and_charsets() -> None:
    card = (
        b"BEGIN:VCARD\r\nVERSION:2.1\r\nN;CHARSET=ISO-8859-1;ENCODING=QUOTED-PRINTABLE:M=FCller;J=\r\n"
        b"=FCrgen\r\nEMAIL;INTERNET;WORK:jm@acme.example\r\nORG:Acme;Sales\r\n"
        b"TEL;CELL:+49 151 1\r\n 234567\r\nEND:VCARD\r\n"
        b"begin:vcard\r\nversion:3.0\r\nFN:Li Wei\r\nEMAIL;TYPE=work:mailto:li@x.example\r\n"
        b"UID:abc-1\r\nend:vcard\r\n"
        b"BEGIN:VCARD\r\nVERSION:3.0\r\nNOTE:only a note\r\nEND:VCARD\r\n"
    )
    book = read_contacts(card, file="book.vcf")
    jm, li = good(book)
    assert book.attempted == 3 and bad(book)[0].locator == "card 3"
    assert (jm.first_name, jm.last_name, jm.company) == ("Jürgen", "Müller", "Acme")
    assert jm.phones == ("+49 151 1234567",) and jm.emails == ("jm@acme.example",)
    assert li.emails == ("li@x.example",) and li.source_uid == "abc-1"


def test_vcard_in_shift_jis_without_charset_and_utf16_without_bom() -> None:
    sjis = "BEGIN:VCARD\nVERSION:3.0\nN:安藤;ロイド;;;\nFN:安藤 ロイド\nEND:VCARD\n"
    (card,) = good(read_contacts(sjis.encode("shift_jis"), file="jp.vcf"))
    assert card.full_name == "安藤 ロイド" and card.last_name == "安藤"
    wide = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Zoë Ärger\r\nEND:VCARD\r\n"
    for encoding in ("utf-16-be", "utf-16-le"):
        (z,) = good(read_contacts(wide.encode(encoding), file="w.vcf"))
        assert z.full_name == "Zoë Ärger"


EXPECTED = {
    "aosp__v21_japanese_2.vcf": [("ロイド1", "安藤")],
    "aosp__v21_multiple_entry.vcf": [("", "安藤ロイド3"), ("", "安藤ロイド4"), ("", "安藤ロイド5")],
    "aosp__v21_nest.vcf": [("", "parent"), ("", "nest1"), ("", "nest2")],
    "aosp__v30_japanese.vcf": [("圭一", "伊能")],
    "roundcube__johndoe.vcf": [("John", "Doë")],
    "roundcube__photo.vcf": [("Jörg", "Müller")],
    "roundcube__utf-16_sample.vcf": [("Ǽgean", "ĽdaMonté")],
    "vobject__vcard40_full.vcf": [("John", "Public")],
    "roundcube__browser_contacts.vcf": [("Aleksander", "Machniak"), ("Sylvester", "Stalone")],
}


@pytest.mark.skipif(not SAMPLES.exists(), reason="../shared/data is not present")
@pytest.mark.parametrize("name", sorted(p.name for p in SAMPLES.glob("*.vcf")))
def test_every_real_sample_card_reads(name: str) -> None:
    book = read_contacts((SAMPLES / name).read_bytes(), file=name)
    assert book.format == "vcard" and book.attempted >= 1 and good(book)
    if name in EXPECTED:
        assert [(r.first_name, r.last_name) for r in good(book)] == EXPECTED[name]


@pytest.mark.skipif(not SAMPLES.exists(), reason="../shared/data is not present")
def test_sample_details_survive() -> None:
    def one(name: str) -> ContactRecord:
        return good(read_contacts((SAMPLES / name).read_bytes(), file=name))[0]

    assert one("aosp__v21_invalid_comment_line.vcf").full_name == "Conference Call"
    johndoe = one("roundcube__johndoe.vcf")
    assert "inbox@roundcube.net" in johndoe.emails and johndoe.company == "roundcube.net"
    assert one("aosp__v40_sort_as.vcf").company == "グーグル"


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400))
def test_arbitrary_bytes_never_crash(data: bytes) -> None:
    for prefix in (b"", b"BEGIN:VCARD\n", b"First Name,Last Name,Email Address\n"):
        with contextlib.suppress(NoRecordsError):
            read_contacts(prefix + data, file="fuzz")


def test_bom_variants_decode_the_same() -> None:
    text = "First Name,Last Name,E-mail Address\nÉmile,Zola,ez@x.example\n"
    for data in (
        text.encode("utf-8"),
        codecs.BOM_UTF8 + text.encode("utf-8"),
        text.encode("utf-16"),
        text.encode("utf-16-be"),
        codecs.BOM_UTF16_BE + text.encode("utf-16-be"),
        text.encode("cp1252"),
    ):
        (r,) = good(read_contacts(data, file="x.csv"))
        assert (r.first_name, r.last_name) == ("Émile", "Zola")


def test_damaged_vcards_are_refused_with_their_line_and_the_rest_kept() -> None:
    whole = b"BEGIN:VCARD\r\nVERSION:2.1\r\nN:Lee;Ann\r\nEMAIL:ann@x.example\r\nEND:VCARD\r\n"
    broken_qp = (  # "=C3=A" is no escape: the soft break swallowed the next line
        b"BEGIN:VCARD\r\nVERSION:2.1\r\nN;ENCODING=QUOTED-PRINTABLE;CHARSET=UTF-8:=C3=A=\r\n"
        b"FN;ENCODING=QUOTED-PRINTABLE:=C3\r\nEMAIL:x@x.example\r\nEND:VCARD\r\n"
    )
    dangling = (  # a soft break, then the card's end: the value was cut
        b"BEGIN:VCARD\r\nVERSION:2.1\r\nN;ENCODING=QUOTED-PRINTABLE;CHARSET=UTF-8:M=C3=BC=\r\n"
        b"END:VCARD\r\n"
    )
    cut = b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Victoria Thr"
    data = whole + broken_qp + whole.replace(b"Ann", b"Bo") + dangling + cut
    book = read_contacts(data, file="cards.vcf")
    assert [r.locator for r in book.records] == [f"card {n}" for n in range(1, 6)]
    good = [r for r in book.records if isinstance(r, ContactRecord)]
    assert [r.first_name for r in good] == ["Ann", "Bo"]
    assert [r.reason for r in book.records if isinstance(r, RowError)] == [
        "broken quoted-printable in N (line 8)",
        "quoted-printable N cut off (line 19)",
        "cut off mid-line at the end of the file (card begins on line 21)",
    ]


def test_a_last_card_without_end_but_whole_lines_is_kept() -> None:
    data = b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ann Lee\r\nEMAIL:ann@x.example\r\n"
    [record] = read_contacts(data, file="c.vcf").records
    assert isinstance(record, ContactRecord) and record.full_name == "Ann Lee"


@pytest.mark.parametrize(
    "data",
    [
        # Outlook.com: unquoted, its own column order, one contact.
        b"First Name,Last Name,E-mail Address,Company,Job Title,Mobile Phone\n"
        b"Anna,M\xc3\xbcller,anna@acme.example,Acme,CEO,+1 415 555 0100\n",
        b"E-mail Address,First Name,Middle Name,Last Name,Company\nanna@acme.example,Anna,,"
        b"M\xc3\xbcller,Acme\n",
        # Classic Outlook, German headers, Windows-1252, one contact (and one without a newline).
        '"Anrede","Vorname","Weitere Vornamen","Nachname","Firma","Position","E-Mail-Adresse",'
        '"E-Mail-Typ"\r\n"","Anna","","Müller","Acme GmbH","Leiterin","anna@acme.example",'
        '"SMTP"\r\n'.encode("cp1252"),
        "Vorname;Nachname;Firma;E-Mail-Adresse\r\nAnna;Müller;Acme GmbH;anna@acme.example"
        .encode("cp1252"),
    ],
)  # fmt: skip
def test_an_outlook_export_of_one_contact_is_read(data: bytes) -> None:
    book = read_contacts(data, file="contacts.csv")
    assert book.format == "outlook" and not bad(book)
    [anna] = good(book)
    assert (anna.first_name, anna.last_name, anna.emails) == (
        "Anna",
        "Müller",
        ("anna@acme.example",),
    )
