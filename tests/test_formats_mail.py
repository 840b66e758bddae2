"""Tests for the mail metadata reader: containers, header rules, and real sample messages."""

from __future__ import annotations

import random
import shutil
from collections import Counter
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from tiegraph.formats.mail import iter_messages, parse_header_block
from tiegraph.formats.records import Address, MessageHeaders, RowError

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "mail"
SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"
SAMPLES = SHARED / "samples" / "mail"
ENRON = SHARED / "enron-berkeley"


def read(path: Path) -> list[MessageHeaders | RowError]:
    return list(iter_messages(path))


def one(path: Path) -> MessageHeaders | RowError:
    [record] = read(path)
    return record


def headers(path: Path) -> MessageHeaders:
    record = one(path)
    assert isinstance(record, MessageHeaders), record
    return record


def emails(addresses: tuple[Address, ...]) -> list[str]:
    return [a.email for a in addresses]


# --- malformed headers, one fixture each ---------------------------------------------------


def test_utf7_encoded_words_are_decoded() -> None:
    record = headers(FIXTURES / "malformed" / "utf7_encoded_word.eml")
    assert record.sender == Address("juergen@example.com", "Jürgen")
    assert record.to == (Address("heinz@example.com", "Heinz Müller"),)


def test_raw_8bit_bytes_inside_encoded_words() -> None:
    record = headers(FIXTURES / "malformed" / "eightbit_encoded_word.eml")
    assert [a.name for a in record.to] == ["Jürgen Schmürgen", "Zoë Brown"]
    assert "8-bit bytes in encoded-word" in record.repairs


def test_unquoted_comma_in_display_name_gives_one_address() -> None:
    record = headers(FIXTURES / "malformed" / "comma_in_display_name.eml")
    assert record.sender == Address("john.smith@x.com", "Smith, John")
    assert record.to == (
        Address("jane@x.com", "Doe, Jane"),
        Address("rick@x.com", "Roe, Rick"),
        Address("plain@x.com"),
    )
    assert record.cc == (Address("north@x.com", "Sales, Team, North"),)


@pytest.mark.parametrize("name", ["empty_from.eml", "from_without_address.eml", "missing_from.eml"])
def test_message_without_a_from_address_is_refused(name: str) -> None:
    record = one(FIXTURES / "malformed" / name)
    assert record == RowError(str(FIXTURES / "malformed" / name), name, "no From address")


def test_to_starting_with_a_comma() -> None:
    record = headers(FIXTURES / "malformed" / "to_leading_comma.eml")
    assert record.to == (Address("b@example.com"), Address("c@example.com", "C"))
    assert record.repairs == ()


def test_groups_and_non_addresses_are_dropped_without_losing_good_ones() -> None:
    record = headers(FIXTURES / "malformed" / "undisclosed_recipients.eml")
    assert emails(record.to) == ["b@example.com", "c@example.com", "joe@example.com"]
    assert record.cc == ()
    assert "dropped non-address in To" in record.repairs
    assert "dropped non-address in Cc" in record.repairs


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("date_ut.eml", datetime(1997, 2, 13, 23, 3, 50, tzinfo=UTC)),
        ("date_0000.eml", datetime(1997, 2, 13, 23, 3, 50, tzinfo=UTC)),
        (
            "date_unclosed_comment.eml",
            datetime(2000, 5, 19, 9, 55, 48, tzinfo=timezone(timedelta(hours=-4))),
        ),
        ("date_no_zone.eml", datetime(2000, 5, 19, 9, 55, 48, tzinfo=UTC)),
    ],
)
def test_odd_dates_are_repaired(name: str, expected: datetime) -> None:
    record = headers(FIXTURES / "malformed" / name)
    assert record.date == expected
    assert record.date.utcoffset() == expected.utcoffset()


def test_naive_date_gets_utc_and_says_so() -> None:
    record = headers(FIXTURES / "malformed" / "date_no_zone.eml")
    assert "Date without time zone, UTC assumed" in record.repairs


def test_unreadable_and_placeholder_dates_are_refused() -> None:
    unreadable = one(FIXTURES / "malformed" / "date_unreadable.eml")
    assert isinstance(unreadable, RowError)
    assert unreadable.reason == "unreadable Date: 'sometime last week'"
    placeholder = one(FIXTURES / "malformed" / "date_placeholder.eml")
    assert isinstance(placeholder, RowError)
    assert placeholder.reason.startswith("placeholder date 1979-12-31")


def test_first_of_duplicate_headers_wins_whatever_the_case() -> None:
    record = headers(FIXTURES / "malformed" / "duplicate_headers.eml")
    assert record.sender.email == "first@example.com"
    assert record.message_id == "<first@example.com>"
    assert record.date.day == 3


def test_indented_header_lines_are_read() -> None:
    record = headers(FIXTURES / "malformed" / "indented_first_line.eml")
    assert record.sender.email == "a@example.com"
    assert emails(record.to) == ["b@example.com", "c@example.com"]
    assert record.message_id == "<indented@example.com>"
    assert "indented header lines" in record.repairs


def test_missing_message_id_is_synthesized_stably() -> None:
    first = headers(FIXTURES / "malformed" / "missing_message_id.eml")
    # Same message as another mailbox holds it: other field order, CRLF, case, time zone.
    second = headers(FIXTURES / "malformed" / "missing_message_id_reordered.eml")
    assert "synthesized Message-ID" in first.repairs
    assert first.message_id == second.message_id
    assert first.message_id.endswith("@synthesized.tiegraph.invalid>")
    other = parse_header_block(
        b"From: a@example.com\r\nTo: b@example.com\r\nDate: Mon, 3 Jun 2024 09:00:00 +0200\r\n",
        file="x",
        locator="y",
    )
    assert isinstance(other, MessageHeaders)
    assert other.message_id != first.message_id  # c@ and d@ are missing: another message


def test_a_file_that_is_not_mail_is_reported() -> None:
    record = one(FIXTURES / "malformed" / "not_a_message.txt")
    assert isinstance(record, RowError)
    assert record.reason == "not a mail message (no header block)"


# --- containers ----------------------------------------------------------------------------


def test_mbox_separators_escapes_and_offsets() -> None:
    records = read(FIXTURES / "escaped.mbox")
    assert [r.locator for r in records] == ["offset 3", "offset 295", "offset 533", "offset 647"]
    first, second, third, fourth = records
    assert isinstance(first, MessageHeaders)
    assert (
        first.message_id == "<one@example.com>"
    )  # "From here on, ..." was body, not a new message
    assert isinstance(second, MessageHeaders)  # no body, the next From_ line right after
    assert second.in_reply_to == "<one@example.com>"
    assert second.references == ("<zero@example.com>", "<one@example.com>")
    assert third == RowError(str(FIXTURES / "escaped.mbox"), "offset 533", "no Date")
    assert isinstance(fourth, MessageHeaders)
    assert emails(fourth.to) == ["alice@example.com", "bob@example.com"]
    raw = (FIXTURES / "escaped.mbox").read_bytes()
    for record in records:
        assert raw[int(record.locator.split()[1]) :].startswith(b"From ")


def test_crlf_mbox_reads_the_same() -> None:
    lf = read(FIXTURES / "escaped.mbox")
    crlf = read(FIXTURES / "crlf.mbox")
    assert [getattr(r, "message_id", None) for r in crlf] == [
        getattr(r, "message_id", None) for r in lf
    ]


def test_maildir_skips_tmp_and_store_files() -> None:
    records = read(FIXTURES / "maildir")
    assert [r.locator for r in records] == [
        "cur/1717405200.M1P1.host!2,S",
        "new/1717405201.M2P1.host",
    ]
    assert all(isinstance(r, MessageHeaders) for r in records)


def test_kind_is_told_by_content_not_by_extension(tmp_path: Path) -> None:
    shutil.copy(FIXTURES / "escaped.mbox", tmp_path / "notes.txt")
    shutil.copy(FIXTURES / "maildir" / "new" / "1717405201.M2P1.host", tmp_path / "inbox.mbox")
    records = read(tmp_path)
    assert Counter(r.file.rsplit("/", 1)[1] for r in records) == {"inbox.mbox": 1, "notes.txt": 4}
    assert records[0].locator == "inbox.mbox"


def test_same_message_in_two_mailboxes_has_one_id(tmp_path: Path) -> None:
    block = (FIXTURES / "malformed" / "missing_message_id.eml").read_bytes()
    (tmp_path / "box.mbox").write_bytes(b"From a@example.com Mon Jun  3 07:00:00 2024\n" + block)
    (tmp_path / "cur").mkdir()
    (tmp_path / "new").mkdir()
    (tmp_path / "cur" / "1").write_bytes(block)
    ids = {r.message_id for r in read(tmp_path) if isinstance(r, MessageHeaders)}
    assert len(ids) == 1


def test_imap_header_fields_response() -> None:
    raw = (
        b"From: =?UTF-8?Q?Zo=C3=AB?= <Zoe@Example.COM>\r\n"
        b"To: team@example.com\r\n"
        b"Date: Tue, 4 Jun 2024 08:30:00 +0100\r\n"
        b"Message-ID: <abc@example.com>\r\n"
        b"In-Reply-To: <parent@example.com>\r\n\r\n"
    )
    record = parse_header_block(raw, file="imap://inbox", locator="uid 42")
    assert isinstance(record, MessageHeaders)
    assert record.sender == Address("zoe@example.com", "Zoë")
    assert record.locator == "uid 42"
    assert record.date == datetime(2024, 6, 4, 7, 30, tzinfo=UTC)
    assert record.in_reply_to == "<parent@example.com>"


def test_subject_and_body_are_never_kept() -> None:
    raw = b"From: a@x.com\nDate: Mon, 3 Jun 2024 09:00:00 +0000\nSubject: secret plans\n\nbody"
    record = parse_header_block(raw, file="f", locator="l")
    assert "secret" not in repr(record)
    assert "body" not in repr(record)


def test_missing_path_raises() -> None:
    with pytest.raises(FileNotFoundError):
        read(FIXTURES / "no-such-mailbox")


# --- real messages -------------------------------------------------------------------------


@pytest.mark.skipif(not SAMPLES.is_dir(), reason="shared sample data not present")
def test_sample_messages_from_real_clients() -> None:
    records = {Path(r.locator).name: r for r in read(SAMPLES)}
    assert len(records) == len(list(SAMPLES.iterdir()))
    legacy_001 = records["stalwart__legacy_001.eml"]
    assert isinstance(legacy_001, MessageHeaders)
    assert legacy_001.to == (  # folded To, second name a UTF-7 B encoded-word
        Address("jblow@example.com", "Joe Blow"),
        Address("schmuergen@example.com", "Jürgen Schmürgen"),
    )
    legacy_009 = records["stalwart__legacy_009.eml"]  # raw 8-bit inside encoded-words
    assert isinstance(legacy_009, MessageHeaders)
    assert legacy_009.to == (Address("jschmuergen@example.com", "Jürgen Schmürgen"),)
    legacy_010 = records["stalwart__legacy_010.eml"]  # unencoded ISO-8859-1 bytes
    assert isinstance(legacy_010, MessageHeaders)
    assert legacy_010.to[0].name == "Heinz Müller"
    legacy_034 = records["stalwart__legacy_034.eml"]  # bare UTF-7 in a quoted name
    assert isinstance(legacy_034, MessageHeaders)
    assert legacy_034.to[0].name == "Heinz Müller"
    legacy_031 = records["stalwart__legacy_031.eml"]  # Date with an (EDT) comment
    assert isinstance(legacy_031, MessageHeaders)
    assert legacy_031.date == datetime(2000, 5, 19, 13, 55, 48, tzinfo=UTC)
    reasons = {name: r.reason for name, r in records.items() if isinstance(r, RowError)}
    assert reasons == {
        "stalwart__malformed_019.eml": "no From address",  # "Fro :" is not From
        "stalwart__rfc_002.eml": "no Date",
        "stalwart__thirdparty_005.eml": "no From address",
        "stalwart__thirdparty_010.eml": "no From address",
    }


@pytest.mark.skipif(not ENRON.is_dir(), reason="shared Enron data not present")
def test_enron_tree_of_single_messages() -> None:
    records = read(ENRON)
    kept = [r for r in records if isinstance(r, MessageHeaders)]
    refused = Counter(r.reason.split(" 19")[0] for r in records if isinstance(r, RowError))
    assert len(records) == 1703  # 1,702 messages and categories.txt
    assert len(kept) == 1689
    assert refused == {"placeholder date": 13, "not a mail message (no header block)": 1}
    by_locator = {r.locator: r for r in kept}
    # To folded over three lines, six recipients, checked by hand.
    assert emails(by_locator["1/10425.txt"].to) == [
        "mark.schroeder@enron.com",
        "kenneth.lay@enron.com",
        "joseph.sutton@enron.com",
        "jeff.skilling@enron.com",
        "mark.frevert@enron.com",
        "john.sherriff@enron.com",
    ]
    # 102 entries over 60 folded lines, 4 of them repeated: 98 distinct recipients.
    assert len(by_locator["1/122030.txt"].to) == 98
    # A garbled To (`<deborah".'"greenwood@enron.com>`) is dropped, the Cc kept.
    garbled = by_locator["1/229643.txt"]
    assert garbled.to == ()
    assert emails(garbled.cc) == ["catherine.huynh@enron.com", "cynthia.barrow@enron.com"]
    assert "dropped non-address in To" in garbled.repairs
    assert all(r.date.tzinfo is not None for r in kept)
    assert len({r.message_id for r in kept}) == len(kept)


def test_indented_headers_in_an_mbox(tmp_path: Path) -> None:
    box = tmp_path / "box"
    box.write_bytes(
        b"From a@x.com Mon Jun  3 09:00:00 2024\n  From: a@x.com\n  To: b@x.com,\n"
        b"     c@x.com\n  Date: Mon, 3 Jun 2024 09:00:00 +0000\n\nbody\n"
        b"From b@x.com Mon Jun  3 10:00:00 2024\nFrom: b@x.com\n"
        b"Date: Mon, 3 Jun 2024 10:00:00 +0000\n\nbody\n"
    )
    first, second = read(box)
    assert isinstance(first, MessageHeaders) and isinstance(second, MessageHeaders)
    assert emails(first.to) == ["b@x.com", "c@x.com"]
    assert "indented header lines" in first.repairs
    assert second.sender.email == "b@x.com"


def test_mangled_header_blocks_never_raise() -> None:
    rng = random.Random(7)
    seeds = [p.read_bytes()[:2000] for p in sorted((FIXTURES / "malformed").iterdir())]
    noise = b'<>"(),;:@=?\\ \t\r\n\xff\xfc+-_BQ'
    for _ in range(2000):
        raw = bytearray(rng.choice(seeds))
        for _ in range(rng.randint(1, 20)):
            raw.insert(rng.randrange(len(raw) + 1), rng.choice(noise))
        record = parse_header_block(bytes(raw), file="f", locator="l")
        assert isinstance(record, MessageHeaders | RowError)


# The header block of enron-berkeley/1/10425.txt (UC Berkeley's annotated Enron subset, in
# ../shared/data): Lotus Notes wrote bare addresses in From/To and the names in X-From/X-To.
ENRON_HEADERS = b"""Message-ID: <197504.1075840201539.JavaMail.evans@thyme>
Date: Mon, 18 Oct 1999 01:47:00 -0700 (PDT)
From: steven.kean@enron.com
To: mark.schroeder@enron.com, kenneth.lay@enron.com, joseph.sutton@enron.com,
\tjeff.skilling@enron.com, mark.frevert@enron.com,
\tjohn.sherriff@enron.com
Subject: Translation of articles
X-From: Steven J Kean
X-To: Mark Schroeder, Kenneth Lay, Joseph W Sutton, Jeff Skilling, Mark Frevert, John Sherriff
X-cc:

"""


def test_x_from_and_x_to_name_bare_addresses() -> None:
    msg = parse_header_block(ENRON_HEADERS, file="10425.txt", locator="1")
    assert isinstance(msg, MessageHeaders)
    assert msg.sender == Address("steven.kean@enron.com", "Steven J Kean")
    assert [a.name for a in msg.to] == [
        "Mark Schroeder", "Kenneth Lay", "Joseph W Sutton", "Jeff Skilling", "Mark Frevert",
        "John Sherriff",
    ]  # fmt: skip


def test_x_to_names_that_do_not_pair_up_are_left_out() -> None:
    # "Lay, Kenneth" splits in two at its comma: the counts disagree, so no name is guessed
    block = ENRON_HEADERS.replace(b"Kenneth Lay,", b"Lay, Kenneth,")
    msg = parse_header_block(block, file="10425.txt", locator="1")
    assert isinstance(msg, MessageHeaders) and all(not a.name for a in msg.to)
    assert msg.sender.name == "Steven J Kean"
