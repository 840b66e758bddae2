"""One-way periodic sync from CardDAV, CalDAV and IMAP sources, their runner and their passwords."""
