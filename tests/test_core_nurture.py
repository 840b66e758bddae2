"""Nurture rules: warming, one-sided and cooling ties, their words, order and thresholds."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tiegraph.core.nurture import NurtureParams, TieActivity, classify, suggest
from tiegraph.core.strength import Touch

AS_OF = datetime(2026, 11, 1, 12, tzinfo=UTC)
DAY = timedelta(days=1)


def touch(days_ago: float, direction: str = "in", channel: str = "email", n: int = 1) -> Touch:
    return Touch(AS_OF - timedelta(days=days_ago), channel, direction, n, 1800)  # type: ignore[arg-type]


def tie(*touches: Touch, name: str = "Jane", pid: int = 1, explicit: bool = False) -> TieActivity:
    return TieActivity(pid, name, tuple(touches), explicit)


def warming_touches() -> list[Touch]:
    recent = [touch(2 + 4 * i, "out" if i % 2 else "in") for i in range(6)]
    recent += [touch(5, "out", "meeting", 2), touch(20, "in", "meeting", 2)]
    earlier = [touch(40, "out"), touch(70, "in"), touch(100, "out")]
    return recent + earlier


def rhythm_touches(every: int, silent: int, days: int = 365) -> list[Touch]:
    """Two-way mail every `every` days, the last one `silent` days ago."""
    found = []
    for i, ago in enumerate(range(silent, days, every)):
        found.append(touch(ago, "out" if i % 2 else "in"))
        found.append(touch(ago + 0.1, "in" if i % 2 else "out"))
    return found


def test_warming_reads_like_the_issue() -> None:
    found = classify(tie(*warming_touches()), AS_OF)
    assert found is not None and found.kind == "warming"
    assert found.reason == (
        "warming: 6 emails and 2 meetings in the last 30 days, up from about 1 a month"
    )
    assert 0 < found.priority <= 100


def test_warming_from_nothing_and_from_little() -> None:
    new = [touch(3, "in"), touch(4, "out"), touch(9, "in")]
    found = classify(tie(*new), AS_OF)
    assert found is not None
    assert found.reason == "warming: 3 emails in the last 30 days, none in the 90 days before"
    found = classify(tie(*new, touch(80, "out")), AS_OF)
    assert found is not None
    assert found.reason.endswith("up from 1 in the 90 days before")


def test_warming_needs_both_sides_several_days_and_a_rise() -> None:
    assert classify(tie(*(touch(2 + i, "out") for i in range(6))), AS_OF) is None  # only us
    one_day = [touch(3 + i / 24, "out" if i % 2 else "in") for i in range(6)]
    assert classify(tie(*one_day), AS_OF) is None  # one busy thread is not a trend
    steady = [touch(1 + 5 * i, "out" if i % 2 else "in") for i in range(24)]  # six a month
    assert classify(tie(*steady), AS_OF) is None


def test_a_tie_already_strong_is_not_warming() -> None:
    busy_before = [touch(31 + i, "out" if i % 2 else "in", "meeting", 2) for i in range(20)]
    recent = [touch(2 + 3 * i, "out" if i % 2 else "in", "meeting", 2) for i in range(9)]
    found = classify(tie(*recent), AS_OF)
    assert found is not None and found.kind == "warming"  # the same recent touches, new tie
    assert classify(tie(*busy_before, *recent), AS_OF) is None  # was strong when it began


def test_one_sided_reads_like_the_issue() -> None:
    touches = [touch(5 + 10 * i, "in") for i in range(5)] + [touch(12, "out")]
    found = classify(tie(*touches), AS_OF)
    assert found is not None and found.kind == "one_sided"
    assert found.reason == "Jane wrote 5 times in 90 days; you answered once"


def test_one_sided_words_for_meetings_calls_and_silence() -> None:
    touches = [
        touch(5, "in"),
        touch(15, "in"),
        touch(25, "in", "meeting", 2),
        touch(9, "in", "call"),
    ]
    found = classify(tie(*touches, name=""), AS_OF)
    assert found is not None
    assert found.reason == (
        "They wrote twice, invited you to 1 meeting and called once in 90 days; you did not answer"
    )


def test_one_sided_needs_enough_and_little_answer() -> None:
    assert classify(tie(touch(5, "in"), touch(6, "in")), AS_OF) is None
    answered = [touch(5 + i, "in") for i in range(6)] + [
        touch(20, "out"),
        touch(21, "out"),
        touch(22, "out"),
    ]
    found = classify(tie(*answered), AS_OF)
    assert found is None or found.kind != "one_sided"
    old = [touch(100 + i, "in") for i in range(6)]  # before the 90-day window
    assert classify(tie(*old), AS_OF) is None


def test_mass_mail_is_not_engagement() -> None:
    newsletters = [touch(2 + 3 * i, "in", n=250) for i in range(12)]
    assert classify(tie(*newsletters), AS_OF) is None
    town_halls = [touch(2 + 7 * i, "in", "meeting", 40) for i in range(8)]
    assert classify(tie(*town_halls), AS_OF) is None


def test_cooling_reads_like_the_issue() -> None:
    found = classify(tie(*rhythm_touches(9, 41)), AS_OF)
    assert found is not None and found.kind == "cooling"
    assert found.reason == "usually in touch every 9 days; silent for 41 days"
    assert 0 < found.priority <= 100


def test_cooling_waits_for_the_rhythm_and_three_weeks() -> None:
    assert classify(tie(*rhythm_touches(9, 18)), AS_OF) is None  # 2 x 9 days not yet passed
    assert classify(tie(*rhythm_touches(3, 20)), AS_OF) is None  # under 21 days is never cooling
    found = classify(tie(*rhythm_touches(3, 22)), AS_OF)
    assert found is not None and found.reason == "usually in touch every 3 days; silent for 22 days"
    found = classify(tie(*rhythm_touches(30, 70)), AS_OF)  # monthly: 60 days allowed
    assert found is not None and found.reason.endswith("silent for 2 months")


def test_cooling_needs_a_habit_and_a_tie_worth_keeping() -> None:
    burst = [touch(30 + i, "out" if i % 2 else "in") for i in range(12)]  # twelve days in a row
    assert classify(tie(*burst), AS_OF) is None
    faint = [touch(70 + 30 * i, "in", n=8) for i in range(8)]  # one group mail a month
    assert classify(tie(*faint), AS_OF) is None
    anyone = NurtureParams(cooling_labels=("strong", "good", "weak"))
    found = classify(tie(*faint), AS_OF, anyone)
    assert found is not None and found.kind == "cooling"


def test_threads_spanning_days_do_not_make_a_daily_rhythm() -> None:
    touches = []
    for week in range(10):  # a two-day thread every second week
        start = 35 + 14 * week
        touches += [touch(start, "in"), touch(start + 0.5, "out"), touch(start + 1, "in")]
    found = classify(tie(*touches), AS_OF)
    assert found is not None and found.kind == "cooling"
    assert "every 14 days" in found.reason  # 10 threads over 126 days, not 20 contact days


def test_a_reply_across_midnight_is_the_same_time_in_touch() -> None:
    """Every 9 days, answered 5 hours later: every 9 days whatever the hour (the reply falls on
    the next calendar day in the evening, or in another time zone)."""
    for hour in (0, 6, 12, 21):
        touches = []
        for days in range(41, 365, 9):
            at = AS_OF.replace(hour=hour) - timedelta(days=days)
            touches += [touch((AS_OF - at) / DAY, "out"), touch((AS_OF - at) / DAY - 5 / 24)]
        found = classify(tie(*touches), AS_OF)
        assert found is not None and "every 9 days" in found.reason, hour


def test_one_sided_wins_over_warming() -> None:
    touches = [touch(2, "in"), touch(6, "in"), touch(9, "in"), touch(12, "in"), touch(14, "out")]
    found = classify(tie(*touches), AS_OF)
    assert found is not None and found.kind == "one_sided"


def test_suggest_orders_by_priority_and_skips_quiet_ties() -> None:
    ties = [
        tie(*rhythm_touches(9, 41), pid=1),
        tie(touch(300, "in"), pid=2),
        tie(*[touch(5 + 10 * i, "in") for i in range(8)], pid=3),
        tie(pid=4),
    ]
    found = suggest(ties, AS_OF)
    assert {s.person_id for s in found} == {1, 3}
    assert [s.priority for s in found] == sorted((s.priority for s in found), reverse=True)


def test_thresholds_are_parameters() -> None:
    touches = [touch(5 + 10 * i, "in") for i in range(3)]
    assert classify(tie(*touches), AS_OF) is not None
    assert classify(tie(*touches), AS_OF, NurtureParams(one_sided_min_in=4)) is None


def test_naive_as_of_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        classify(tie(touch(1)), AS_OF.replace(tzinfo=None))


touch_lists = st.lists(
    st.builds(
        Touch,
        at=st.datetimes(
            min_value=datetime(2025, 9, 1), max_value=datetime(2026, 12, 31), timezones=st.just(UTC)
        ),
        channel=st.sampled_from(["email", "meeting", "call"]),
        direction=st.sampled_from(["out", "in"]),
        participants=st.integers(1, 30),
        duration_seconds=st.integers(0, 3600),
    ),
    max_size=40,
)


@settings(max_examples=150, deadline=None)
@given(touch_lists, st.randoms(use_true_random=False))
def test_order_free_and_blind_to_the_future(touches: list[Touch], rng: random.Random) -> None:
    found = classify(tie(*touches), AS_OF)
    shuffled = list(touches)
    rng.shuffle(shuffled)
    past = [t for t in shuffled if t.at < AS_OF]
    assert classify(tie(*shuffled), AS_OF) == found
    assert classify(tie(*past), AS_OF) == found
    if found is not None:
        assert 0 <= found.priority <= 100 and found.reason


@settings(max_examples=150, deadline=None)
@given(touch_lists)
def test_broadcasts_alone_never_make_a_suggestion(touches: list[Touch]) -> None:
    params = NurtureParams()
    loud = [
        Touch(t.at, t.channel, t.direction, t.participants + params.max_participants)
        for t in touches
    ]
    assert classify(tie(*loud), AS_OF, params) is None
