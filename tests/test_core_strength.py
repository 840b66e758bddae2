"""The tie-strength model: order-free folding, monotone signals, stored columns, reasons."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tiegraph.core.strength import (
    TieState,
    Touch,
    apply,
    fold,
    from_columns,
    label_of,
    score,
    score_touches,
    to_columns,
)

NOW = datetime(2026, 11, 1, 12, tzinfo=UTC)


def mail(days_ago: float, direction: str = "out", participants: int = 1) -> Touch:
    return Touch(NOW - timedelta(days=days_ago), "email", direction, participants)  # type: ignore[arg-type]


def two_way(n: int, *, start: float = 1.0, every: float = 3.0) -> list[Touch]:
    return [mail(start + i * every, "out" if i % 2 else "in") for i in range(n)]


def close(a: TieState, b: TieState) -> bool:
    ca, cb = to_columns(a), to_columns(b)
    return ca.keys() == cb.keys() and all(
        math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-12)
        if isinstance(x, float) and isinstance(y, float)
        else x == y
        for x, y in zip(ca.values(), cb.values(), strict=True)
    )


touches = st.lists(
    st.builds(
        Touch,
        at=st.datetimes(
            min_value=datetime(2024, 1, 1), max_value=datetime(2026, 10, 31), timezones=st.just(UTC)
        ),
        channel=st.sampled_from(["email", "meeting", "call"]),
        direction=st.sampled_from(["out", "in"]),
        participants=st.integers(1, 60),
        duration_seconds=st.integers(0, 7200),
        thread_reply=st.booleans(),
    ),
    max_size=25,
)


@settings(max_examples=150, deadline=None)
@given(touches, st.randoms(use_true_random=False))
def test_any_order_gives_the_same_state(items: list[Touch], rng: object) -> None:
    shuffled = list(items)
    rng.shuffle(shuffled)  # type: ignore[attr-defined]
    one_by_one = TieState()
    for t in shuffled:
        one_by_one = apply(one_by_one, t)
    assert close(one_by_one, fold(TieState(), sorted(items, key=lambda t: t.at)))


@settings(max_examples=100, deadline=None)
@given(touches, touches)
def test_incremental_equals_batch_and_columns_round_trip(a: list[Touch], b: list[Touch]) -> None:
    stored = from_columns(to_columns(fold(TieState(), a)))
    assert close(fold(stored, b), fold(TieState(), a + b))


def test_older_stored_columns_without_new_fields_still_load() -> None:
    state = fold(TieState(), two_way(4))
    columns = to_columns(state)
    del columns["active_weeks"], columns["recent_in_2"]
    loaded = from_columns(columns)
    assert loaded.emails_in == state.emails_in and loaded.active_weeks == 0


def test_more_two_way_mail_scores_higher_and_one_way_scores_lower() -> None:
    few = score_touches(two_way(4), NOW)
    many = score_touches(two_way(20), NOW)
    one_way = score_touches([mail(1 + 3 * i) for i in range(20)], NOW)
    assert many.score > few.score > 0
    assert one_way.strength < many.strength
    assert one_way.reasons[0] == "only one-way: 20 emails sent, no reply"


def test_mass_mail_weighs_less_than_one_to_one_mail() -> None:
    direct = score_touches([mail(2, "out"), mail(1, "in")], NOW)
    blast = score_touches([mail(2, "out", 40), mail(1, "in", 40)], NOW)
    assert blast.strength < direct.strength


def test_a_one_on_one_meeting_weighs_more_than_a_big_call() -> None:
    small = Touch(NOW - timedelta(days=2), "meeting", "out", 2, 1800)
    big = Touch(NOW - timedelta(days=2), "meeting", "out", 40, 1800)
    assert score_touches([small], NOW).strength > score_touches([big], NOW).strength


def test_longer_calls_weigh_more_and_decay_lowers_old_ties() -> None:
    short = Touch(NOW - timedelta(days=2), "call", "out", 1, 30)
    long = Touch(NOW - timedelta(days=2), "call", "out", 1, 1800)
    assert score_touches([long], NOW).strength > score_touches([short], NOW).strength
    recent = score_touches(two_way(10), NOW)
    old = score_touches(two_way(10, start=200), NOW)
    assert old.strength < recent.strength


def test_explicit_connection_raises_a_tie_and_alone_is_weak() -> None:
    base = fold(TieState(), two_way(3))
    assert score(base, NOW, explicit_connection=True).strength > score(base, NOW).strength
    alone = score(TieState(), NOW, explicit_connection=True)
    assert alone.label == "weak" and alone.reasons == ("in their contacts",)


def test_labels_are_monotone_in_the_score() -> None:
    order = {"weak": 0, "good": 1, "strong": 2}
    labels = [order[label_of(v)] for v in range(101)]
    assert labels == sorted(labels) and labels[0] == 0 and labels[-1] == 2


def test_as_of_folds_only_touches_strictly_before_it() -> None:
    items = [*two_way(6, start=10), mail(0.5, "in")]
    cutoff = NOW - timedelta(days=5)
    before = score_touches(items, cutoff)
    assert before.reasons[-1] == "last contact 5 days ago"
    exact = [Touch(cutoff, "email", "in", 1)]
    assert score_touches(exact, cutoff).score == 0


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        apply(TieState(), Touch(datetime(2026, 1, 1), "email", "out", 1))
    with pytest.raises(ValueError, match="timezone-aware"):
        score(TieState(), datetime(2026, 1, 1))
    with pytest.raises(ValueError, match="timezone-aware"):
        score_touches([Touch(datetime(2026, 1, 1), "email", "out", 1)], NOW)


def test_reasons_read_like_a_seller_would_say_them() -> None:
    items = [
        *two_way(31, start=1, every=2),
        Touch(NOW - timedelta(days=20), "meeting", "out", 2, 1800),
        Touch(NOW - timedelta(days=40), "meeting", "in", 6, 3600),
        Touch(NOW - timedelta(days=6), "call", "out", 1, 600),
    ]
    reasons = score_touches(items, NOW + timedelta(days=1)).reasons
    assert reasons[0].startswith("31 emails both ways since 1 ")
    assert reasons[1] == "2 meetings (1 of them 1:1)"
    assert reasons[2] == "1 call, 10 min"
    assert reasons[-1] == "last contact 2 days ago"
