"""The API's shapes for finding a way in: closest connections, company connections, intro
paths, nurture; and their conversion from the services' values."""

from __future__ import annotations

from datetime import date

from fastapi import Request
from pydantic import Field

from tiegraph.services.insights.closest import AccountTie
from tiegraph.services.insights.connection_rows import CompanyConnection
from tiegraph.services.insights.nurture import NurtureItem
from tiegraph.services.insights.paths import IntroPath
from tiegraph.services.insights.who_knows import PersonKnowers
from tiegraph.web.pagination import PageOut, page_out, window
from tiegraph.web.schemas.common import (
    ApiOutput,
    Certainty,
    KnowerOut,
    ReasonOut,
    StrengthOut,
    knower_out,
    reasons_out,
    said,
)


class AccountTieOut(StrengthOut):
    """One of the account's people, and the member holding the strongest tie to them."""

    person_id: int
    person_email: str
    person_name: str
    person_title: str
    member_email: str = Field(description="The member holding the strongest tie to them.")
    member_name: str


def account_tie_out(t: AccountTie) -> AccountTieOut:
    return AccountTieOut(
        person_id=t.person_id,
        person_email=t.person_email,
        person_name=t.person_name,
        person_title=t.title,
        member_email=t.member_email,
        member_name=t.member_name,
        score=t.score,
        label=t.label,
        certainty="measured",
        reasons=reasons_out(t.reason_items),
    )


class ViaOut(ApiOutput):
    """A person at the company a connection runs through."""

    person_email: str
    person_name: str
    person_title: str
    reasons: list[ReasonOut]


class ConnectionOut(StrengthOut):
    """A member connected to the company: personally (measured) or likely (inferred)."""

    member_email: str
    member_name: str
    kind: str = Field(description="personal, employer, former-employer, ... (see KINDS)")
    via: list[ViaOut] = Field(description="People at the company the connection runs through.")


def connection_out(c: CompanyConnection) -> ConnectionOut:
    return ConnectionOut(
        member_email=c.member_email,
        member_name=c.member_name,
        kind=c.kind,
        score=c.strength,
        label=c.label,
        certainty="inferred" if c.inferred else "measured",
        reasons=said(c.kind, c.reason),
        via=[
            ViaOut(
                person_email=v.email,
                person_name=v.name,
                person_title=v.title,
                reasons=said(c.kind, v.detail),
            )
            for v in c.via
        ],
    )


class HopOut(ApiOutput):
    source_name: str
    source_email: str
    target_name: str
    target_email: str
    kind: str = Field(
        description="colleague: you to the colleague who introduces; tie: a measured tie; "
        "likely: an inferred link (e.g. colleagues at one company), never measured traffic"
    )
    certainty: Certainty = Field(description="inferred for a likely hop, else measured.")
    score: int | None = Field(
        description="A measured tie's score 0-100; null for an inferred hop or no tie at all."
    )
    weight: float = Field(description="The hop's factor in the path's score, 0-1.")
    reasons: list[ReasonOut]


class IntroPathOut(StrengthOut):
    """A way in: score = 100 × the product of the hops' weights."""

    introducer_email: str = Field(description="The colleague on the first hop, to ask.")
    introducer_name: str
    via_email: str | None = Field(
        description="The introducer's contact at the target's company the path runs through."
    )
    via_name: str | None
    hops: list[HopOut]
    starters: list[str] = Field(description="Conversation starters along this path.")


def intro_path_out(p: IntroPath) -> IntroPathOut:
    via = p.via
    return IntroPathOut(
        score=p.strength,
        label=p.label,
        certainty="inferred" if p.inferred else "measured",
        reasons=said("path", p.strength_why),
        introducer_email=p.introducer_email,
        introducer_name=p.introducer_name,
        via_email=via.target_email if via else None,
        via_name=via.target if via else None,
        hops=[
            HopOut(
                source_name=h.source,
                source_email=h.source_email,
                target_name=h.target,
                target_email=h.target_email,
                kind=h.kind,
                certainty="inferred" if h.inferred else "measured",
                score=h.strength,
                weight=round(h.weight, 3),
                reasons=said(h.kind, h.why),
            )
            for h in p.hops
        ],
        starters=list(p.starters),
    )


class IntroPathsOut(ApiOutput):
    person_email: str
    person_name: str
    company: str
    in_common: list[str] = Field(description="What you and the person have in common.")
    paths: PageOut[IntroPathOut] = Field(description="Ways in, strongest first: one page.")


class WhoKnowsOut(ApiOutput):
    """The one who-knows answer: the person, and a page of the colleagues who know them."""

    person_email: str
    person_name: str
    as_of: date = Field(description="The day the ties are scored as of.")
    knowers: PageOut[KnowerOut] = Field(description="Colleagues who know them, strongest first.")


def who_knows_out(request: Request, answer: PersonKnowers, limit: int, offset: int) -> WhoKnowsOut:
    return WhoKnowsOut(
        person_email=answer.email,
        person_name=answer.name,
        as_of=answer.as_of,
        knowers=page_out(request, window(list(answer.knowers), limit, offset), knower_out),
    )


class NurtureItemOut(StrengthOut):
    kind: str = Field(description="warming, one_sided (contacts) or cooling (connections)")
    person_email: str
    person_name: str
    person_title: str
    company: str
    priority: int


def nurture_item_out(i: NurtureItem) -> NurtureItemOut:
    return NurtureItemOut(
        kind=i.kind,
        person_email=i.person_email,
        person_name=i.person_name,
        person_title=i.title,
        company=i.company,
        score=i.score,
        label=i.label,
        certainty="measured",
        reasons=said(i.kind, i.reason),
        priority=i.priority,
    )
