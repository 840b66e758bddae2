"""The noise real address books carry: nicknames, dropped accents, typos, company spellings."""

from __future__ import annotations

import random

from tiegraph.demo import names
from tiegraph.demo.companies import Company
from tiegraph.demo.text import ascii_fold

_US_FORMS = ("Inc.", "Corporation", "LLC", "Co.")


def nickname(first_name: str, rng: random.Random) -> str:
    """A short form of the first name (Bob for Robert), or "" when it has none."""
    shorts = names.NICKNAMES.get(first_name)
    return rng.choice(shorts) if shorts else ""


def drop_accents(text: str) -> str:
    return ascii_fold(text)


def change_case(text: str, rng: random.Random) -> str:
    return text.upper() if rng.random() < 0.5 else text.lower()


def typo(text: str, rng: random.Random) -> str:
    """One slip of the keyboard: two letters swapped, one dropped or one doubled."""
    if len(text) < 4:
        return text + text[-1]
    at = rng.randrange(1, len(text) - 1)
    kind = rng.randrange(3)
    if kind == 0 and text[at] != text[at + 1]:
        return text[:at] + text[at + 1] + text[at] + text[at + 2 :]
    if kind == 1:
        return text[:at] + text[at + 1 :]
    return text[: at + 1] + text[at] + text[at + 1 :]


def company_variant(company: Company, rng: random.Random) -> str:
    """How someone typed the company: "Acme", "Acme Corp.", "ACME, Inc.", "acme logistics"."""
    brand, descriptor, legal = company.brand, company.descriptor, company.legal
    legal_variant = rng.choice(names.LEGAL_VARIANTS.get(legal, (legal,))) if legal else ""
    if not legal:  # the members' own company, registered without a suffix
        legal_variant = rng.choice(("Inc.", "Inc", ""))
    loud = brand.upper() + (
        f", {legal}" if legal in _US_FORMS else f" {legal}" if legal else ", Inc."
    )
    options = [
        brand,
        _join(brand, descriptor),
        _join(brand, legal_variant),
        _join(brand, descriptor, legal_variant),
        loud,
        company.name.lower(),
    ]
    choices = [option for option in dict.fromkeys(options) if option != company.name]
    return rng.choice(choices) if choices else company.name


def _join(*parts: str) -> str:
    return " ".join(part for part in parts if part).replace(" ,", ",")
