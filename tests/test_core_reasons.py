"""Reasons in words: what a seller reads next to a tie, from raw touches and from facts."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from tiegraph.core.reasons import TieFacts, ago, describe, span
from tiegraph.core.strength import Touch, score_touches

AS_OF = datetime(2026, 11, 7, 9, tzinfo=UTC)


def at(days_ago: float) -> datetime:
    return AS_OF - timedelta(days=days_ago)


def mail(days_ago: float, direction: str = "out") -> Touch:
    return Touch(at(days_ago), "email", direction, 1)  # type: ignore[arg-type]


def test_the_sentence_from_the_issue() -> None:
    touches = [mail(6 + 2 * i, "out" if i % 2 else "in") for i in range(31)]
    touches += [
        Touch(at(10), "meeting", "out", 2, 1800),
        Touch(at(30), "meeting", "in", 2, 3600),
    ]
    assert score_touches(touches, AS_OF).reasons == (
        "31 emails both ways since 1 September",
        "2 meetings (1:1)",
        "known for 2 months",
        "last contact 6 days ago",
    )


def test_only_mail_in_the_window_counts_as_recent() -> None:
    old = [mail(120 + i, "out" if i % 2 else "in") for i in range(12)]
    recent = [mail(3, "out"), mail(2, "in")]
    assert score_touches(old + recent, AS_OF).reasons[0] == "2 emails both ways since 1 September"
    assert (
        score_touches(old, AS_OF).reasons[0] == "12 emails both ways in all, none since 1 September"
    )


def test_one_way_mail_says_so() -> None:
    sent = score_touches([mail(1), mail(4), mail(9)], AS_OF).reasons
    assert sent[0] == "only one-way: 3 emails sent, no reply"
    received = score_touches([mail(2, "in")], AS_OF).reasons
    assert received == ("only one-way: 1 email received, none sent", "last contact 2 days ago")


def test_recent_mail_one_way_after_an_older_exchange() -> None:
    touches = [mail(100, "in"), mail(3), mail(2)]
    assert (
        score_touches(touches, AS_OF).reasons[0] == "2 emails sent since 1 September, none received"
    )


def test_meetings_and_calls_name_their_kind_and_when_the_last_was() -> None:
    touches = [
        Touch(at(200), "meeting", "out", 2, 1800),
        Touch(at(150), "meeting", "in", 12, 3600),
        Touch(at(130), "call", "out", 1, 600),
        Touch(at(125), "call", "in", 1, 1500),
    ]
    reasons = score_touches(touches, AS_OF).reasons
    assert reasons[0] == "2 meetings (1 of them 1:1), the last 4 months ago"
    assert reasons[1] == "2 calls, 35 min in all, the last 4 months ago"
    assert reasons[-2:] == ("known for 6 months", "last contact 4 months ago")


def test_a_missed_call_is_under_a_minute() -> None:
    reasons = score_touches([Touch(at(1), "call", "in", 1, 0)], AS_OF).reasons
    assert reasons == ("1 call, under a minute", "last contact yesterday")


def test_an_explicit_connection_alone_has_one_reason() -> None:
    assert score_touches([], AS_OF, explicit_connection=True).reasons == ("in their contacts",)
    assert score_touches([], AS_OF).reasons == ()


def test_touches_on_or_after_as_of_are_not_described() -> None:
    touches = [mail(10, "in"), Touch(AS_OF, "email", "out", 1), Touch(at(-3), "meeting", "out", 2)]
    reasons = score_touches(touches, AS_OF).reasons
    assert reasons == ("only one-way: 1 email received, none sent", "last contact 10 days ago")


def test_describe_orders_mail_meetings_calls_contacts_age_last_contact() -> None:
    facts = TieFacts(
        as_of=AS_OF,
        window_start=date(2026, 9, 1),
        recent_out=4,
        recent_in=5,
        emails_out=40,
        emails_in=38,
        meetings=1,
        meetings_one_on_one=0,
        last_meeting_at=at(20),
        calls=1,
        call_seconds=95,
        last_call_at=at(3),
        first_at=at(800),
        last_at=at(0.2),
        explicit=True,
    )
    assert describe(facts) == (
        "9 emails both ways since 1 September",
        "1 meeting",
        "1 call, 2 min",
        "in their contacts",
        "known for 2 years",
        "last contact today",
    )


@pytest.mark.parametrize(
    ("days", "words"),
    [
        (0, "0 days"),
        (1, "1 day"),
        (59, "59 days"),
        (61, "2 months"),
        (729, "23 months"),
        (731, "2 years"),
    ],
)
def test_span_uses_the_unit_a_person_would_say(days: int, words: str) -> None:
    assert span(timedelta(days=days, hours=5)) == words


@pytest.mark.parametrize(
    ("days", "words"),
    [(-2, "today"), (0.5, "today"), (1.2, "yesterday"), (6, "6 days ago"), (95, "3 months ago")],
)
def test_ago(days: float, words: str) -> None:
    assert ago(AS_OF, at(days)) == words
