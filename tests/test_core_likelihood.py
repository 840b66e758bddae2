"""Implicit-connection likelihoods and intro-path rules: pure values, no store."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from tiegraph.core import likelihood
from tiegraph.core.paths import (
    COLLEAGUE_FLOOR,
    Stint,
    colleague_hop,
    explain_strength,
    in_common,
    no_one_twice,
    path_strength,
    tie_hop,
)

TODAY = date(2026, 11, 23)


def test_overlap_counts_shared_years_and_open_ends_run_to_today() -> None:
    assert likelihood.overlap_years(
        date(2015, 1, 1), date(2019, 1, 1), date(2017, 1, 1), None, TODAY
    ) == ((date(2019, 1, 1) - date(2017, 1, 1)).days / 365.25)
    assert (
        likelihood.overlap_years(date(2010, 1, 1), date(2011, 1, 1), date(2012, 1, 1), None, TODAY)
        == 0
    )
    assert likelihood.overlap_years(None, None, date(2012, 1, 1), None, TODAY) == 0


@given(
    size=st.integers(1, 1_000_000),
    bigger=st.integers(1, 1_000_000),
    years=st.floats(0.01, 40),
    more=st.floats(0, 10),
)
def test_colleague_likelihood_falls_with_size_rises_with_overlap_never_certain(
    size: int, bigger: int, years: float, more: float
) -> None:
    base = likelihood.colleague(size, years)
    assert 0 < base <= likelihood.DEFAULT.ceiling < 1
    assert likelihood.colleague(size + bigger, years) <= base
    assert likelihood.colleague(size, years + more) >= base


def test_small_company_long_overlap_is_likely_and_a_giant_one_is_not() -> None:
    assert likelihood.certainty(likelihood.colleague(40, 3)) == "likely"
    assert likelihood.certainty(likelihood.colleague(200_000, 3)) == "unlikely"
    assert likelihood.colleague(40, 0) == 0
    assert likelihood.schoolmate(0) == 0 < likelihood.schoolmate(2)


@given(st.lists(st.floats(0, 0.9), max_size=30))
def test_any_of_is_at_least_the_best_and_capped(values: list[float]) -> None:
    combined = likelihood.any_of(values)
    assert combined <= likelihood.DEFAULT.ceiling
    assert combined >= (max(values) if values else 0) - 1e-12


def test_path_strength_multiplies_hops_and_a_colleague_is_always_half_way() -> None:
    assert colleague_hop(None) == COLLEAGUE_FLOOR
    assert colleague_hop(100) == 1.0
    assert path_strength([1.0, 0.9]) == 90
    assert path_strength([colleague_hop(None), 0.9]) == 45
    assert path_strength([0.5, 0.9, 0.2]) == 9


def test_in_common_names_shared_places_longest_overlap_first() -> None:
    mine = [
        Stint("c1", "Globex", date(2016, 3, 1), date(2018, 6, 30)),
        Stint("s1", "Stanford University", date(2009, 9, 1), date(2013, 6, 1)),
        Stint("c9", "Initech", date(2001, 1, 1), date(2003, 1, 1)),
    ]
    theirs = [
        Stint("c1", "Globex", date(2015, 1, 1), date(2019, 12, 31)),
        Stint("s1", "Stanford University", date(2008, 9, 1), date(2012, 6, 1)),
        Stint("c9", "Initech", date(2010, 1, 1), None),
    ]
    found = in_common(mine, theirs, TODAY)
    assert found == [
        "Stanford University, together 2009–2012",
        "Globex, together 2016–2018",
        "Initech (at different times)",
    ]


def test_a_paths_strength_is_the_product_of_its_hops_and_says_so() -> None:
    hops = [(colleague_hop(86), "asking Ann"), (tie_hop(73), "Ann knows Pat")]
    assert colleague_hop(None) == 0.5 and colleague_hop(100) == 1.0 and tie_hop(140) == 1.0
    assert explain_strength(hops) == "93% (asking Ann) × 73% (Ann knows Pat) = 68"
    assert explain_strength([(0.5, "asking Bo"), (0.9, "Bo knows Kim"), (0.4, "likely")]).endswith(
        "= 18"
    )
    assert no_one_twice([("a@x.example", "Ann Lee"), ("b@x.example", "Bo"), ("", "Pat")])
    assert not no_one_twice([("a@x.example", "Ann Lee"), ("c@y.example", "ann  LÉE")])
    assert not no_one_twice([("a@x.example", "Ann"), ("A@X.example", "Ann Lee")])
