"""The API's shapes for finding a way in: closest connections, company connections, intro
paths, nurture; and their conversion from the services' values."""

from __future__ import annotations

from pydantic import Field

from tiegraph.services.insights.closest import AccountTie
from tiegraph.services.insights.connection_rows import CompanyConnection
from tiegraph.services.insights.nurture import NurtureItem
from tiegraph.services.insights.paths import IntroPath
from tiegraph.web.pagination import PageOut
from tiegraph.web.schemas.common import (
    ApiOutput,
    ReasonItemOut,
    reason_items_field,
    reason_items_out,
)


class AccountTieOut(ApiOutput):
    person_id: int
    person_email: str
    person_name: str
    title: str
    member_email: str = Field(description="The member holding the strongest tie to them.")
    member_name: str
    score: int
    label: str
    reasons: list[str]
    reason_items: list[ReasonItemOut] = reason_items_field()


def account_tie_out(t: AccountTie) -> AccountTieOut:
    return AccountTieOut(
        person_id=t.person_id,
        person_email=t.person_email,
        person_name=t.person_name,
        title=t.title,
        member_email=t.member_email,
        member_name=t.member_name,
        score=t.score,
        label=t.label,
        reasons=list(t.reasons),
        reason_items=reason_items_out(t.reason_items),
    )


class ViaOut(ApiOutput):
    email: str
    name: str
    title: str
    why: str


class ConnectionOut(ApiOutput):
    member_email: str
    member_name: str
    kind: str = Field(description="personal, employer, former-employer, ... (see KINDS)")
    strength: int = Field(description="A tie's score, or an implicit one's likelihood in %.")
    certainty: str = Field(description="known, likely, possible or unlikely")
    reason: str
    via: list[ViaOut] = Field(description="People at the company the connection runs through.")


def connection_out(c: CompanyConnection) -> ConnectionOut:
    return ConnectionOut(
        member_email=c.member_email,
        member_name=c.member_name,
        kind=c.kind,
        strength=c.strength,
        certainty=c.certainty,
        reason=c.reason,
        via=[ViaOut(email=v.email, name=v.name, title=v.title, why=v.detail) for v in c.via],
    )


class HopOut(ApiOutput):
    source: str
    source_email: str
    target: str
    target_email: str
    kind: str = Field(
        description="colleague: you to the colleague who introduces; tie: a measured tie; "
        "likely: an inferred link (e.g. colleagues at one company), never measured traffic"
    )
    inferred: bool = Field(description="True for a likely hop.")
    strength: int | None = Field(
        description="A measured tie's score 0-100; null for an inferred hop or no tie at all."
    )
    weight: float = Field(description="The hop's factor in the path's strength, 0-1.")
    why: str


class PersonRefOut(ApiOutput):
    email: str
    name: str


class IntroPathOut(ApiOutput):
    strength: int = Field(description="100 × the product of the hops' weights.")
    strength_why: str = Field(description="How the strength comes from the hops, in words.")
    introducer_email: str = Field(description="The colleague on the first hop, to ask.")
    introducer_name: str
    via: PersonRefOut | None = Field(
        description="The introducer's contact at the target's company the path runs through."
    )
    hops: list[HopOut]
    starters: list[str] = Field(description="Conversation starters along this path.")


def intro_path_out(p: IntroPath) -> IntroPathOut:
    via = p.via
    return IntroPathOut(
        strength=p.strength,
        strength_why=p.strength_why,
        introducer_email=p.introducer_email,
        introducer_name=p.introducer_name,
        via=PersonRefOut(email=via.target_email, name=via.target) if via else None,
        hops=[
            HopOut(
                source=h.source,
                source_email=h.source_email,
                target=h.target,
                target_email=h.target_email,
                kind=h.kind,
                inferred=h.inferred,
                strength=h.strength,
                weight=round(h.weight, 3),
                why=h.why,
            )
            for h in p.hops
        ],
        starters=list(p.starters),
    )


class IntroPathsOut(ApiOutput):
    email: str
    name: str
    company: str
    in_common: list[str] = Field(description="What you and the person have in common.")
    paths: PageOut[IntroPathOut] = Field(description="Ways in, strongest first: one page.")


class NurtureItemOut(ApiOutput):
    kind: str = Field(description="warming, one_sided (contacts) or cooling (connections)")
    person_email: str
    person_name: str
    company: str
    title: str
    score: int
    label: str
    reason: str
    priority: int


def nurture_item_out(i: NurtureItem) -> NurtureItemOut:
    return NurtureItemOut(**i.__dict__)
