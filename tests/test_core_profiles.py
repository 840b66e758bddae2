"""Profile URLs: one form per page, and none for a site everyone at a company shares."""

from __future__ import annotations

import pytest

from tiegraph.core.profiles import normalize_profile_url


@pytest.mark.parametrize(
    "raw",
    [
        "https://www.linkedin.com/in/ana-lima-7",
        "http://linkedin.com/in/Ana-Lima-7/",
        "https://de.linkedin.com/in/ana-lima-7?trk=public_profile",
        "www.linkedin.com/in/ana-lima-7#about",
        " HTTPS://WWW.LINKEDIN.COM/IN/ANA-LIMA-7 ",
    ],
)
def test_one_linkedin_profile_has_one_form(raw: str) -> None:
    assert normalize_profile_url(raw) == "linkedin.com/in/ana-lima-7"


def test_encoded_letters_are_read() -> None:
    url = "https://www.linkedin.com/in/jos%C3%A9-n"
    assert normalize_profile_url(url) == "linkedin.com/in/josé-n"


@pytest.mark.parametrize("raw", ["", "https://acme.com", "https://www.acme.com/", "not a url"])
def test_a_site_or_no_url_names_no_one(raw: str) -> None:
    assert normalize_profile_url(raw) is None


def test_other_pages_keep_host_and_path() -> None:
    assert normalize_profile_url("https://github.com/Octocat/") == "github.com/octocat"
