"""A member's pace: order-free folding, stored columns, and what it does to a tie's score."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from tiegraph.core.member_activity import (
    MemberActivity,
    activity_from_columns,
    activity_to_columns,
    day_of,
    day_sums,
    fold_activity,
    median_pace,
    pace,
    pace_from_days,
    pace_later,
    relative,
    weight_of,
)
from tiegraph.core.strength import DEFAULT_PARAMS, TieState, Touch, fold, score, score_touches

NOW = datetime(2026, 11, 1, 12, tzinfo=UTC)


def mail(days_ago: float, direction: str = "out", participants: int = 1) -> Touch:
    return Touch(NOW - timedelta(days=days_ago), "email", direction, participants)  # type: ignore[arg-type]


def steady(days: int, every: float = 1.0, start: float = 0.5) -> list[Touch]:
    return [mail(start + i * every, "out" if i % 2 else "in") for i in range(int(days / every))]


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
    ),
    max_size=25,
)


def close(a: MemberActivity, b: MemberActivity) -> bool:
    return (
        a.last_at == b.last_at
        and a.model == b.model
        and math.isclose(a.recent, b.recent, rel_tol=1e-9, abs_tol=1e-12)
        and math.isclose(a.usual, b.usual, rel_tol=1e-9, abs_tol=1e-12)
    )


@settings(max_examples=100, deadline=None)
@given(touches, touches)
def test_any_order_and_any_split_gives_the_same_activity(a: list[Touch], b: list[Touch]) -> None:
    stored = activity_from_columns(activity_to_columns(fold_activity(None, a)))
    assert close(fold_activity(stored, b), fold_activity(None, list(reversed(a + b))))


@settings(max_examples=100, deadline=None)
@given(touches, st.integers(0, 400))
def test_day_sums_give_the_pace_the_touches_give_as_of_any_midnight(
    a: list[Touch], days_back: int
) -> None:
    as_of_day = day_of(NOW) - days_back
    midnight = datetime.fromtimestamp(as_of_day * 86_400, UTC)
    before = [t for t in a if t.at < midnight]
    days = [day_sums(t.at, weight_of(t)) for t in before]
    later = [day_sums(t.at, weight_of(t)) for t in a if t.at >= midnight]
    expected = pace(fold_activity(None, before), midnight) if before else 1.0
    assert math.isclose(pace_from_days(days + later, as_of_day), expected, rel_tol=1e-9)


def test_as_busy_as_usual_is_a_pace_of_one() -> None:
    activity = fold_activity(None, steady(720))
    assert math.isclose(pace(activity, NOW), 1.0, rel_tol=0.05)


def test_gone_quiet_lowers_the_pace_and_a_busier_spell_is_above_one() -> None:
    left = fold_activity(None, steady(300, start=21))  # nothing in the last three weeks
    assert pace(left, NOW) < 0.2
    busier = fold_activity(None, steady(300, every=3, start=8) + steady(7, every=0.25))
    assert pace(busier, NOW) > 1.0


def test_nothing_known_or_another_model_reads_as_usual() -> None:
    assert pace(None, NOW) == 1.0 and pace(MemberActivity(), NOW) == 1.0
    left = fold_activity(None, steady(300, start=21))
    other = replace(DEFAULT_PARAMS, activity_usual_days=60.0)
    assert pace(left, NOW, other) == 1.0  # shaped by other parameters: unknown, no penalty
    assert activity_from_columns(None) == MemberActivity()


def test_a_quiet_colleague_scores_lower_and_the_reasons_say_so() -> None:
    state = fold(TieState(), steady(60, every=3, start=21))
    usual, quiet = score(state, NOW), score(state, NOW, pace=0.2)
    assert math.isclose(quiet.strength, 0.2 * usual.strength)
    assert any(
        r.startswith("quieter than colleagues lately: 20% of their usual activity (")
        and r.endswith(" points off)")
        for r in quiet.reasons
    )
    assert not any(r.startswith("quiet") for r in usual.reasons)
    busier = score(state, NOW, pace=3.0)  # busier than usual adds nothing: capped at 1
    assert busier.strength == usual.strength


def test_an_explicit_connection_does_not_fade_with_its_owners_pace() -> None:
    alone = score_touches([], NOW, explicit_connection=True, pace=0.0)
    assert alone.strength == DEFAULT_PARAMS.explicit_bonus
    assert alone.reasons == ("in their contacts",)


def test_a_pace_is_read_against_the_median_colleagues() -> None:
    assert median_pace([]) == 1.0 and median_pace([0.2, 3.0, 1.0]) == 1.0
    assert median_pace([0.2, 0.4, 0.6, 3.0]) == 0.5
    assert relative(0.1, 0.5) == 0.2 and relative(0.3, 0.0) == 1.0


def test_with_no_new_activity_every_pace_decays_alike() -> None:
    left = fold_activity(None, steady(300, start=21))
    later = NOW + timedelta(days=10)
    assert math.isclose(pace(left, later), pace_later(pace(left, NOW), 10))
