"""The API's shape of My day (GET /api/v1/me/day), and its conversion from the service's value."""

from __future__ import annotations

from datetime import date

from pydantic import Field

from tiegraph.services.insights.my_day import MyDay
from tiegraph.web.schemas.common import ApiOutput
from tiegraph.web.schemas.insights import NurtureItemOut, nurture_item_out
from tiegraph.web.schemas.intros import IntroOut, intro_out


class WarmPathOut(ApiOutput):
    person_id: int
    person_email: str
    person_name: str
    title: str
    company_id: int | None
    company: str
    introducer_email: str = Field(description="The colleague to ask for the introduction.")
    introducer_name: str
    score: int = Field(description="The introducer's tie to the person, 0-100.")
    label: str = Field(description="strong, good or weak")
    reason: str = Field(description="The tie's first reason, one line.")
    wanted_for: str = Field(description="'target account', or 'list NAME'.")


class NewPersonOut(ApiOutput):
    person_id: int
    person_email: str
    person_name: str
    title: str
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
        warm_paths=[WarmPathOut.model_validate(p.as_dict()) for p in day.paths],
        asks=[intro_out(a) for a in day.asks],
        my_requests=[intro_out(r) for r in day.my_requests],
        nurture=[nurture_item_out(n) for n in day.nurture],
        new_people=[NewPersonOut.model_validate(n.as_dict()) for n in day.new_people],
    )
