"""Why a colleague can introduce you, in plain words: every shape of way in, every label."""

from __future__ import annotations

import pytest

from tiegraph.core.intro_words import WayWords, line, sentence
from tiegraph.core.strength import Label


@pytest.mark.parametrize(
    ("label", "touch"),
    [("strong", "in close touch"), ("good", "in regular touch"), ("weak", "in touch now and then")],
)
def test_a_tie_in_words_of_its_label(label: Label, touch: str) -> None:
    words = WayWords("Bo Chen", "Pat Doe", label, "Acme Corp")
    assert line(words) == f"Bo is {touch} with Pat Doe."
    assert sentence(words) == (
        f"You and Pat are {touch}, so a word from you would count for far more than a cold "
        "email from me."
    )


def test_the_strongest_way_in_says_so_to_the_requester_only() -> None:
    words = WayWords("Bo Chen", "Pat Doe", "good", strongest=True)
    assert line(words) == "Bo is in regular touch with Pat Doe: your strongest way in."
    assert "strongest" not in sentence(words)


def test_a_colleague_at_the_same_company_is_likely_never_certain() -> None:
    words = WayWords("Bo Chen", "Pat Doe", None, "Acme Corp")
    assert line(words) == "Bo works at Acme Corp too, so likely knows Pat Doe."
    assert sentence(words).startswith("You both work at Acme Corp, so a word from you")
    assert "the same company" in line(WayWords("Bo Chen", "Pat Doe", None))


def test_through_the_introducers_contact_asks_whom_to_ask() -> None:
    words = WayWords("Bo Chen", "Pat Doe", "strong", "Acme Corp", "Kim Poe", "CTO at Acme Corp")
    said = "Bo is in close touch with Kim Poe at Acme Corp, who likely knows Pat Doe."
    assert line(words) == said
    assert sentence(words) == (
        "You are in close touch with Kim Poe (CTO at Acme Corp), who likely knows Pat: would "
        "you ask Kim to introduce us, or introduce me to Kim first?"
    )


def test_no_number_ever_reaches_the_words() -> None:
    for label in ("strong", "good", "weak", None):
        for via in ("", "Kim Poe"):
            words = WayWords("Bo Chen", "Pat Doe", label, "Acme Corp", via, strongest=True)  # type: ignore[arg-type]
            assert not any(c.isdigit() for c in line(words) + sentence(words))
