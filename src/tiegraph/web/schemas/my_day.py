"""The API's shape of My day (GET /api/v1/me/day), and its conversion from the service's value."""

from __future__ import annotations

from datetime import date

from pydantic import Field

from tiegraph.services.insights.my_day import MyDay
from tiegraph.services.insights.warm_paths import WarmPath
from tiegraph.web.schemas.common import ApiOutput, StrengthOut, reasons_out
from tiegraph.web.schemas.insights import NurtureItemOut, nurture_item_out
from tiegraph.web.schemas.intros import IntroOut, intro_out


class WarmPathOut(StrengthOut):
    """Whom to ask (the introducer, and their tie's strength to the person) for whom, why."""

    person_id: int
    person_email: str
    person_name: str
    person_title: str
    company_id: int | None
    company: str
    introducer_email: str = Field(description="The colleague to ask for the introduction.")
    introducer_name: str
    wanted_for: str = Field(description="'target account', or 'list NAME'.")


def warm_path_out(p: WarmPath) -> WarmPathOut:
    return WarmPathOut(
        person_id=p.person_id,
        person_email=p.person_email,
        person_name=p.person_name,
        person_title=p.person_title,
        company_id=p.company_id,
        company=p.company_name,
        introducer_email=p.introducer_email,
        introducer_name=p.introducer_name,
        score=p.score,
        label=p.label,
        certainty="measured",
        reasons=reasons_out(p.reason_items),
        wanted_for=p.for_what,
    )


class NewPersonOut(ApiOutput):
    person_id: int
    person_email: str
    person_name: str
    person_title: str
    company_id: int
    company: str
    started: date = Field(description="Start of their current job at the target account.")


class MyDayOut(ApiOutput):
    targets: int = Field(description="Target accounts flagged in the organization.")
    lists: int = Field(description="Your own lists (not archived).")
    warm_paths: list[WarmPathOut]
    asks: list[IntroOut] = Field(description="Intros asked of you, waiting for your answer.")
    my_requests: list[IntroOut] = Field(
        description="Your own sent requests: waiting for an answer, or answered in the last "
        "14 days (introduced or declined, with the reason), latest first."
    )
    nurture: list[NurtureItemOut]
    new_people: list[NewPersonOut]


def my_day_out(day: MyDay) -> MyDayOut:
    return MyDayOut(
        targets=day.targets,
        lists=day.lists,
        warm_paths=[warm_path_out(p) for p in day.paths],
        asks=[intro_out(a) for a in day.asks],
        my_requests=[intro_out(r) for r in day.my_requests],
        nurture=[nurture_item_out(n) for n in day.nurture],
        new_people=[
            NewPersonOut(
                person_id=n.person_id,
                person_email=n.email,
                person_name=n.name,
                person_title=n.title,
                company_id=n.company_id,
                company=n.company_name,
                started=n.started,
            )
            for n in day.new_people
        ],
    )
