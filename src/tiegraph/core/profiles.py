"""Profile URLs (a LinkedIn page and the like): one comparable form per person's page."""

from __future__ import annotations

import re
from urllib.parse import unquote

__all__ = ["normalize_profile_url"]

_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://")
# LinkedIn serves one profile under many hosts (www., de., uk., mobile) and two path forms.
_LINKEDIN = re.compile(r"^(?:[a-z]{2,3}\.|www\.|mobile\.)?linkedin\.com/(in|pub)/([^/?#]+)")
_PLAIN_LINKEDIN = re.compile(r"https?://(?:www\.)?linkedin\.com/(in|pub)/([a-z0-9-]+)/?")


def normalize_profile_url(raw: str) -> str | None:
    """The page `raw` points to as "host/path", or None when it names no one's page.

    Scheme, "www.", query, fragment and trailing slashes go; LinkedIn's country hosts are one
    host ("https://de.linkedin.com/in/Ana-Lima/?trk=x" → "linkedin.com/in/ana-lima"). A bare
    host ("https://acme.com") is a company's site, shared by everyone working there: None.
    """
    text = raw.strip().lower()
    plain = _PLAIN_LINKEDIN.fullmatch(text)
    if plain:  # most of a directory's URLs: what the steps below make of them, at once
        return f"linkedin.com/{plain.group(1)}/{plain.group(2)}"
    if not text or " " in text:
        return None
    text = _SCHEME.sub("", text).split("#", 1)[0].split("?", 1)[0]
    if text.startswith("www."):
        text = text[4:]
    linkedin = _LINKEDIN.match(text)
    if linkedin:
        return f"linkedin.com/{linkedin.group(1)}/{unquote(linkedin.group(2)).lower()}"
    host, _, path = text.partition("/")
    path = unquote(path).lower().strip("/")
    if "." not in host or not path:
        return None
    return f"{host}/{path}"
