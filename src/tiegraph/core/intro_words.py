"""Why a colleague can introduce you, in plain words: no scores, no counts, one sentence each.

Two sentences per way in: `line` for the requester ("why this colleague"), `sentence` for the
request mail, addressed to the introducer. Both come from the way's shape and the tie's label
(strong / good / weak), never from its metrics, which stay on the person's page.
"""

from __future__ import annotations

from dataclasses import dataclass

from tiegraph.core.strength import Label

TOUCH: dict[str, str] = {
    "strong": "in close touch",
    "good": "in regular touch",
    "weak": "in touch now and then",
}
WORD_FROM_YOU = "so a word from you would count for far more than a cold email from me."


@dataclass(frozen=True)
class WayWords:
    """The facts of one way in that the words need; names as the directory has them."""

    introducer: str  # the colleague asked
    target: str  # the person to meet
    label: Label | None  # the introducer's tie to the target (or to `via`); None: inferred
    company: str = ""  # the target's company
    via: str = ""  # the introducer's contact at the target's company, on the way
    via_role: str = ""  # their title and company in words
    strongest: bool = False  # the strongest way in the requester can see


def _first(name: str) -> str:
    return name.split(" ")[0] if name else ""


def _touch(label: Label | None) -> str:
    return TOUCH.get(label or "weak", TOUCH["weak"])


def line(w: WayWords) -> str:
    """Why this colleague, for the requester: "Bo is in close touch with Pat Doe"."""
    who = _first(w.introducer) or w.introducer
    if w.via:
        at = f" at {w.company}" if w.company else ""
        said = f"{who} is {_touch(w.label)} with {w.via}{at}, who likely knows {w.target}"
    elif w.label is None:
        place = w.company or "the same company"
        said = f"{who} works at {place} too, so likely knows {w.target}"
    else:
        said = f"{who} is {_touch(w.label)} with {w.target}"
    return said + (": your strongest way in." if w.strongest else ".")


def sentence(w: WayWords) -> str:
    """The why of the request mail, to the introducer, in one or two plain sentences."""
    target = _first(w.target) or w.target
    if w.via:
        via = _first(w.via) or w.via
        known = f"{w.via} ({w.via_role})" if w.via_role else w.via
        return (
            f"You are {_touch(w.label)} with {known}, who likely knows {target}: would you ask "
            f"{via} to introduce us, or introduce me to {via} first?"
        )
    if w.label is None:
        place = w.company or "the same company"
        return f"You both work at {place}, {WORD_FROM_YOU}"
    return f"You and {target} are {_touch(w.label)}, {WORD_FROM_YOU}"
