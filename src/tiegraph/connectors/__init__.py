"""Network peers: CardDAV, CalDAV, IMAP, SMTP."""
