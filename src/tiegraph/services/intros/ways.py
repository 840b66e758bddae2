"""The way an intro request follows: the introducer's intro path to the person, in words.

The request goes to the colleague on the path's first hop; when the path runs on through that
colleague's contact at the person's company, the request names that contact, so the colleague
knows whom to ask (or introduce first).
"""

from __future__ import annotations

from dataclasses import dataclass

from tiegraph.core import intro_words
from tiegraph.core.intro_words import WayWords
from tiegraph.core.strength import label_of
from tiegraph.errors import InvalidInputError
from tiegraph.services.directory.lookup import DirectoryPerson
from tiegraph.services.insights.connection_rows import people_by_id
from tiegraph.services.insights.paths import IntroPath, intro_paths
from tiegraph.services.org.members import Member
from tiegraph.services.org.orgs import Org
from tiegraph.store import Store


@dataclass(frozen=True)
class Via:
    """The introducer's contact at the person's company, on the way."""

    name: str
    first_name: str
    email: str
    title: str
    company: str


@dataclass(frozen=True)
class Way:
    path: IntroPath
    reason: str  # the introducer's link in words: their tie to the person or to the contact
    route: str  # the whole way in a sentence or two, with the tie's facts (the {route} placeholder)
    via: Via | None = None
    line: str = ""  # why this colleague, in plain words, for the requester
    sentence: str = ""  # the why of the request mail, in plain words, for the introducer


def way_through(
    store: Store, org: Org, requester: Member, introducer: Member, target: DirectoryPerson
) -> Way:
    """The introducer's strongest way in to the person, as the requester may see it.

    A colleague who knows the person only through ties the requester may not see gets the same
    refusal as one with no way in at all.
    """
    found = intro_paths(store, org, target.email, requester=requester, viewer=requester, limit=0)
    path = next((p for p in found.paths if p.introducer_email == introducer.email), None)
    if path is None:
        raise InvalidInputError(
            f"{introducer.name} is not on any way in to {target.name} that you can see: "
            f"ask a colleague on their intro paths"
        )
    last = path.hops[-1]
    hop = path.via
    strongest = path is found.paths[0]
    if hop is None or path.via_person is None:
        label = None if last.inferred or last.strength is None else label_of(last.strength)
        words = WayWords(introducer.name, target.name, label, target.company, strongest=strongest)
        if last.inferred:
            place = target.company or "the same company"
            route = f"You both work at {place}, so you likely know them."
        else:
            route = f"I see that you know them: {last.why}."
        return _way(path, last.why, route, None, words)
    with store.read() as conn:
        facts = people_by_id(conn, org, [path.via_person])[path.via_person]
    via = Via(facts.name, facts.name.split(" ")[0], hop.target_email, facts.title, target.company)
    role = " at ".join(x for x in (via.title, via.company) if x)
    known = f"{via.name} ({role})" if role else via.name
    route = (
        f"I see that you know {known}: {hop.why}. {via.first_name} likely knows "
        f"{target.first_name or target.name} ({last.why}), so the way to them goes through "
        f"{via.first_name}: would you ask {via.first_name} to introduce us, or introduce me "
        f"to {via.first_name} first?"
    )
    label = label_of(hop.strength) if hop.strength is not None else None
    words = WayWords(
        introducer.name, target.name, label or "weak", target.company, via.name, role, strongest
    )
    return _way(path, hop.why, route, via, words)


def _way(path: IntroPath, reason: str, route: str, via: Via | None, words: WayWords) -> Way:
    return Way(path, reason, route, via, intro_words.line(words), intro_words.sentence(words))
