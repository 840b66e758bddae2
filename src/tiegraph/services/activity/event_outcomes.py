"""A calendar ingest's account: events read, meetings taken, events skipped by reason."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from tiegraph.formats.calendar import CalendarTally
from tiegraph.formats.records import EventRecord

OUTSIDE_WINDOW = "no occurrence in the window"
ALONE = "no one else in it (a holiday, a personal block)"
NO_MEMBER = "no member among the participants"
STILL_TO_COME = "every occurrence still to come (taken once it has started)"


@dataclass
class EventOutcomes:
    """Each event's outcome: taken when any of its occurrences became a meeting, else the
    reason its first occurrence was skipped. Events = taken + skipped + unreadable."""

    tally: CalendarTally = field(default_factory=CalendarTally)
    occurrences: int = 0  # read inside the window
    meetings: int = 0  # occurrences taken as meetings
    _outcome: dict[tuple[str, str], str] = field(default_factory=dict)
    _to_come: set[tuple[str, str]] = field(default_factory=set)

    def saw(self, event: EventRecord, skipped: str) -> None:
        """One occurrence: taken (`skipped` empty) or skipped for that reason."""
        self.occurrences += 1
        self.meetings += not skipped
        key = (event.file, event.locator)
        if not skipped or key not in self._outcome:
            self._outcome[key] = skipped

    def still_to_come(self, event: EventRecord) -> None:
        """An occurrence that has not started yet (CalDAV sync reads the event again once it
        has): the event's outcome when none of its occurrences before was read."""
        self._to_come.add((event.file, event.locator))

    def counts(self) -> dict[str, Any]:
        waiting = self._to_come - self._outcome.keys()
        outcomes = Counter(self._outcome.values()) + Counter({STILL_TO_COME: len(waiting)})
        skipped = {reason: n for reason, n in sorted(outcomes.items()) if reason}
        if self.tally.outside_window:
            skipped[OUTSIDE_WINDOW] = self.tally.outside_window
        return {
            # A reader that kept no tally (Outlook PST items) gave only occurrences.
            "events": self.tally.events or len(self._outcome) + len(waiting),
            "events_with_meetings": outcomes[""],
            "skipped": sum(skipped.values()),
            "skipped_reasons": skipped,
            "unreadable_events": self.tally.unreadable,
            "occurrences": self.occurrences,
            "meetings": self.meetings,
        }

    def summary(self) -> str:
        counts = self.counts()
        reasons = ", ".join(f"{n} {reason}" for reason, n in counts["skipped_reasons"].items())
        return (
            f"{counts['events']} events: {counts['events_with_meetings']} with meetings "
            f"({counts['meetings']} meetings of {counts['occurrences']} occurrences in the "
            f"window), {counts['skipped']} skipped" + (f" ({reasons})" if reasons else "")
        )
