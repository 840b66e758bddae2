"""How big the demo organization is: the knobs from a laptop demo to a benchmark of millions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True, slots=True)
class DemoScale:
    """Sizes of the demo world. The defaults are the demo; benchmarks raise them.

    `interactions_target`, when given, scales every activity rate so that the total number of
    interactions lands near it; otherwise each member gets the rates of a busy sales person.
    `end_date` is fixed rather than today so that a seed always writes the same bytes.
    """

    members: int = 25
    persons: int = 5_000
    companies: int = 400
    months: int = 6
    end_date: date = date(2026, 11, 1)
    interactions_target: int | None = None
    contacts_per_member: int = 300
    organization: str = "Northwind Analytics"
    domain: str = "northwind.example"

    def __post_init__(self) -> None:
        if self.members < 2:
            raise ValueError("a demo organization needs at least 2 members")
        if self.persons < max(50, 4 * self.members):
            raise ValueError("persons must be at least 50 and at least 4 per member")
        if self.companies < 5:
            raise ValueError("companies must be at least 5")
        if not 1 <= self.months <= 36:
            raise ValueError("months must be between 1 and 36")
        if self.contacts_per_member < 10:
            raise ValueError("contacts_per_member must be at least 10")
        if self.interactions_target is not None and self.interactions_target < 0:
            raise ValueError("interactions_target must not be negative")
        if not self.domain.endswith(".example"):
            raise ValueError("the demo domain must end in .example (a reserved domain)")
