"""Company names: a normalized key per company, and resolving a name or an address to a company."""

from __future__ import annotations

import marshal
import re
from collections.abc import Iterable
from functools import lru_cache

from cleanco.clean import prepare_default_terms

from tiegraph.core.emails import email_domain, is_free_mail_domain, normalize_email
from tiegraph.core.names import fold_accents

__all__ = ["CompanyIndex", "company_aliases", "normalize_company"]


def _words(text: str) -> frozenset[str]:
    """The whitespace-separated words of a data table written as text."""
    return frozenset(text.split())


# Legal forms written after the name, as word sequences: cleanco's table of many countries'
# forms, plus those it misses or that appear once "S.p.A." is read as "spa". cleanco's own
# basename() is not called: it compares each name with all 300 forms in turn (30 µs a name),
# where one set lookup per tail length does the same.
_OWN_LEGAL_FORMS = (
    "inc, incorporated, llc, llp, lp, ltd, limited, gmbh, mbh, ag, kg, kgaa, ohg, se, sa, sas, "
    "sasu, sarl, eurl, bv, nv, oy, oyj, ab, asa, as, aps, kk, gk, co, corp, corporation, company, "
    "plc, pty, spa, srl, srls, lda, ltda, sl, slu, sro, cv, bvba, sprl, doo, ooo, zrt, kft, pte, "
    "bhd, cie, na, pty ltd, pvt ltd, private limited, pte ltd, sdn bhd, and co, und co, "
    "and company, et cie, and cie, sa de cv, sab de cv, de cv, s de rl, sp z oo, co kg, and co kg, "
    "und co kg, and co kgaa, public limited company, limited liability company, "
    "kabushiki kaisha, aktiengesellschaft, gesellschaft mit beschrankter haftung, "
    "societe anonyme, sociedad anonima, sociedade anonima, societa per azioni, "
    "societa a responsabilita limitata, besloten vennootschap, naamloze vennootschap, "
    "osakeyhtio, aktiebolag, aksjeselskap, aktieselskab, anpartsselskab, limitada"
)
_LEGAL_FORMS = frozenset(
    {tuple(form.split()) for form in _OWN_LEGAL_FORMS.split(", ")}
    | {
        tuple(part.replace("&", "and").replace("/", "").replace(":", "") for part in parts)
        for _, parts in prepare_default_terms()
    }
)
_LONGEST_FORM = max(map(len, _LEGAL_FORMS))
# Legal forms written before the name: Russian ООО, Japanese 株式会社 as (株), Korean (주).
_LEGAL_PREFIXES = _words("ооо зао оао пао 株 有 주")
_CJK_FORMS = (
    "股份有限公司",
    "有限责任公司",
    "有限公司",
    "株式会社",
    "有限会社",
    "合同会社",
    "주식회사",
    "公司",
)
# Words that a company's own name often carries and people often drop: "BMW Group" is "BMW".
# Not stripped by normalize_company (Acme Holdings may own Acme Ltd: two entities), only used
# as weaker aliases in CompanyIndex, where a hit yields a possible match, never a merge.
_FAMILY_WORDS = _words("group groupe gruppe grupo gruppo holding holdings international")
_ACRONYM_SKIPS = _words("and of the for de des du la le et und")
_DOTTED = re.compile(r"\b[^\W\d_](?:\.[^\W\d_])+\b\.?")
_SLASHED = re.compile(r"\b([^\W\d_])/([^\W\d_])\b")  # A/S, a/b
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://")  # company domains are often given as URLs
_DOMAIN_CACHE_SIZE = 1 << 16
_APOSTROPHES = re.compile(r"['’‘`´]")
_NOT_ALNUM = re.compile(r"[\W_]")  # \w is str.isalnum() or "_"


@lru_cache(maxsize=1 << 16)
def normalize_company(raw: str) -> str:
    """The key two spellings of one company share ("" only when `raw` holds no name at all).

    Casefolded, accents dropped, "&" read as "and", punctuation gone, a leading "The" and legal
    forms (Inc., GmbH, S.p.A., K.K., 株式会社 ...) removed: "Acme Corp." = "ACME Corporation" =
    "Acme, Inc." = "acme". Never empties a name: "Group Inc" keeps "group".
    """
    text = fold_accents(raw).replace("&", " and ")
    if "." in text:
        text = _DOTTED.sub(lambda m: m.group(0).replace(".", ""), text)
    text = _SLASHED.sub(r"\1\2", _APOSTROPHES.sub("", text))
    words = _NOT_ALNUM.sub(" ", text).split()
    cjk = not text.isascii()  # CJK legal forms are never ASCII
    while True:  # until nothing more comes off, so that a key normalizes to itself
        before = words
        if cjk:
            words = _strip_cjk_forms(words)
        while len(words) > 1 and (words[0] == "the" or words[0] in _LEGAL_PREFIXES):
            words = words[1:]
        words = _strip_legal_suffixes(words)
        if words == before:
            return " ".join(words)


def company_name_from_domain(domain: str) -> str:
    """A readable company name from a registered mail domain: acme-widgets.co.uk -> "Acme
    Widgets", ibm.com -> "IBM". Only a guess, so callers mark the company inferred."""
    label = domain.strip().lower().split(".", 1)[0]
    words = [w for w in re.split(r"[-_]+", label) if w]
    return " ".join(w.upper() if len(w) <= 3 else w.capitalize() for w in words) or domain


MAX_BRAND_SHARERS = 5  # more companies behind one first word: the word says nothing

# First words too common to stand for one company on their own ("First Solar" is not "First").
_GENERIC_LEADS = _words(
    "international global general national first united american new royal universal bank "
    "city best standard central pacific atlantic north south east west great world euro asia "
    "digital data smart blue green red black white golden silver star sun"
)


def company_aliases(key: str, *, brand: bool = False) -> tuple[str, ...]:
    """Weaker keys of a normalized company name: without family words, and its acronym.

    With `brand`, also its first word ("ferrante" for "ferrante assurance"), since people
    write the brand and drop what the company does. Only a directory's own names get it:
    a contact's "Orion Capital" must not become "Orion" and find "Orion Media".
    """
    words = key.split()
    aliases: list[str] = []
    if brand and len(words) > 1 and len(words[0]) >= 3 and words[0] not in _GENERIC_LEADS:
        aliases.append(words[0])
    trimmed = list(words)
    while len(trimmed) > 1 and trimmed[-1] in _FAMILY_WORDS:
        trimmed.pop()
    if len(trimmed) < len(words) and " ".join(trimmed) not in aliases:
        aliases.append(" ".join(trimmed))
    significant = [w for w in trimmed if w not in _ACRONYM_SKIPS]
    if len(significant) >= 3 and all(w.isalpha() and w.isascii() for w in significant):
        aliases.append("".join(w[0] for w in significant))
    return tuple(aliases)


class CompanyIndex:
    """Finds the company a name or an email address points to, by name, alias or domain.

    Built from (company_id, name, domains) triples; a company may appear in several triples to
    give it more names (aliases) and domains. A key shared by two companies resolves to none:
    guessing between two companies is worse than not knowing.
    """

    def __init__(self, companies: Iterable[tuple[str, str, Iterable[str]]]) -> None:
        self._by_name: dict[str, str | None] = {}
        self._by_alias: dict[str, str | None] = {}
        self._by_domain: dict[str, str | None] = {}
        self._names: dict[str, str] = {}
        self._domain_hits: dict[str, str | None] = {}  # cache: one address domain, many people
        self._brands: dict[str, list[str]] = {}  # first word -> every company it begins
        for company_id, name, domains in companies:
            self._names.setdefault(company_id, name.strip())
            key = normalize_company(name)
            if key:
                _claim(self._by_name, key, company_id)
                for alias in company_aliases(key, brand=True):
                    _claim(self._by_alias, alias, company_id)
                # The brand the company is known by: its first word, or its one-word name.
                lead = company_aliases(key, brand=True)[:1] or ([key] if " " not in key else [])
                if lead and lead[0] == key.split()[0]:
                    shared = self._brands.setdefault(lead[0], [])
                    if company_id not in shared:
                        shared.append(company_id)
            for domain in domains:
                clean = _clean_domain(domain)
                if clean and not is_free_mail_domain(clean):
                    _claim(self._by_domain, clean, company_id)

    def __len__(self) -> int:
        return len(self._names)

    def to_bytes(self) -> bytes:
        """The index as bytes that `from_bytes` reads back in any process."""
        tables = (self._by_name, self._by_alias, self._by_domain, self._names, self._brands)
        return marshal.dumps(tables)

    @classmethod
    def from_bytes(cls, data: bytes | memoryview) -> CompanyIndex:
        index = cls(())
        tables = marshal.loads(data)
        index._by_name, index._by_alias, index._by_domain, index._names, index._brands = tables
        return index

    def name_of(self, company_id: str) -> str:
        """The first name the company was given ("" for an unknown id)."""
        return self._names.get(company_id, "")

    def resolve(self, name: str = "", email: str = "") -> str | None:
        """The company id for a company name, else for the domain of an email address."""
        return self.resolve_name(name) or self.resolve_email(email)

    def resolve_name(self, name: str) -> str | None:
        """The company id for a name: exact normalized name, then an unambiguous alias; a
        name written as a domain or URL ("acme.com", "www.acme.com/") by that domain."""
        key = normalize_company(name)
        if not key:
            return None
        written = name.strip()
        if "." in written and " " not in written and key not in self._by_name:
            found = self.resolve_domain(written)
            if found:
                return found
        if key in self._by_name:
            return self._by_name[key]
        # "BMW" finds "BMW Group", "IBM" finds International Business Machines.
        for candidate in (key, *company_aliases(key)):
            if candidate in self._by_name:
                return self._by_name[candidate]
            if candidate in self._by_alias:
                return self._by_alias[candidate]
        return None

    def brand_candidates(self, name: str, limit: int = MAX_BRAND_SHARERS) -> tuple[str, ...]:
        """Every company named by this brand ("Zephyr" -> Zephyr SA, Zephyr Automotive SE,
        Zephyr Labs), when several and at most `limit` share it: a person's own employers then
        tell which one is meant. Even when the brand is one company's whole name: people write
        "Zephyr" for Zephyr Labs as often as for Zephyr SA."""
        key = normalize_company(name)
        if not key:
            return ()
        sharers = self._brands.get(key, ())
        return tuple(sharers) if 1 < len(sharers) <= limit else ()

    def resolve_email(self, email: str) -> str | None:
        """The company id for an address's domain or a domain above it; never for free mail."""
        normalized = normalize_email(email)
        return self.resolve_domain(email_domain(normalized)) if normalized else None

    def resolve_domain(self, domain: str) -> str | None:
        """The company id for a domain or the nearest domain above it (mail.acme.com → acme.com)."""
        if domain in self._domain_hits:
            return self._domain_hits[domain]
        found = None
        clean = _clean_domain(domain)
        if clean and not is_free_mail_domain(clean):
            labels = clean.split(".")
            parents = (".".join(labels[i:]) for i in range(len(labels) - 1))
            found = next((self._by_domain[p] for p in parents if p in self._by_domain), None)
        if len(self._domain_hits) < _DOMAIN_CACHE_SIZE:
            self._domain_hits[domain] = found
        return found


def _claim(table: dict[str, str | None], key: str, company_id: str) -> None:
    if table.get(key, company_id) != company_id:
        table[key] = None  # two companies share it: it names neither
    else:
        table[key] = company_id


def _clean_domain(domain: str) -> str:
    text = domain.strip().lower()
    text = _SCHEME.sub("", text).split("/", 1)[0].rstrip(".")
    text = text.removeprefix("www.")
    if not text.isascii():
        try:
            text = text.encode("idna").decode("ascii")
        except UnicodeError:
            return ""
    return text if "." in text and " " not in text else ""


def _strip_cjk_forms(words: list[str]) -> list[str]:
    if not words:
        return words
    words = list(words)
    for form in _CJK_FORMS:
        if words[0].startswith(form) and len(words[0]) > len(form):
            words[0] = words[0][len(form) :]
        if words[-1].endswith(form) and len(words[-1]) > len(form):
            words[-1] = words[-1][: -len(form)]
    return words


def _strip_legal_suffixes(words: list[str]) -> list[str]:
    n = min(_LONGEST_FORM, len(words) - 1)
    while n > 0:
        if tuple(words[-n:]) in _LEGAL_FORMS:
            words = words[:-n]
            n = min(_LONGEST_FORM, len(words) - 1)  # longest first again: "Foo GmbH & Co. KG"
        else:
            n -= 1
    return words
