"""CalDAV (RFC 4791): calendars as WebDAV collections of iCalendar objects, one UID each."""

from __future__ import annotations

from tiegraph.connectors.webdav import CollectionKind

CALENDAR = CollectionKind(
    label="calendar",
    namespace="urn:ietf:params:xml:ns:caldav",
    collection="calendar",
    home_set="calendar-home-set",
    multiget="calendar-multiget",
    data="calendar-data",
)
