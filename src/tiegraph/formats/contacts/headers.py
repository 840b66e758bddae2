"""Which contact field a CSV column holds, in the words LinkedIn, Google and Outlook use, and
those of other clients' and CRMs' exports (Thunderbird, Yahoo, Salesforce, HubSpot, Zoho)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

__all__ = ["FIELDS", "Layout", "header_key", "identify", "layout_of"]

# Fields a column can feed; email and phone may come from several columns.
FIELDS = (
    "first_name",
    "last_name",
    "full_name",
    "middle_name",
    "nickname",
    "email",
    "phone",
    "company",
    "title",
    "profile_url",
    "connected_on",
    "source_uid",
)
MULTI = frozenset({"email", "phone"})

# Exact header names (after `header_key`) per field: English and the Outlook locales
# de, fr, es, nl, it, pt (pt-BR and pt-PT), plus Google's old and new spellings.
_EXACT: dict[str, tuple[str, ...]] = {
    "first_name": (
        "first name",
        "first",
        "given name",
        "firstname",
        "vorname",
        "prenom",
        "nombre",
        "voornaam",
        "nome",
        "primeiro nome",
        "名",
    ),
    "last_name": (
        "last name",
        "last",
        "family name",
        "surname",
        "lastname",
        "nachname",
        "nom",
        "apellidos",
        "apellido",
        "achternaam",
        "cognome",
        "sobrenome",
        "姓",
    ),
    "middle_name": (
        "middle name",
        "middle",
        "additional name",
        "weitere vornamen",
        "deuxieme prenom",
        "segundo nombre",
        "middelste naam",
        "tweede voornaam",
        "secondo nome",
        "segundo nome",
        "outros nomes",
    ),
    "full_name": (
        "name",
        "full name",
        "display name",
        "anzeigename",
        "nom complet",
        "nombre completo",
        "volledige naam",
        "nome completo",
        "名前",
    ),
    "nickname": ("nickname", "spitzname", "surnom", "apodo", "bijnaam", "soprannome", "alcunha"),
    "company": (
        "company",
        "organization",
        "organization name",
        "organization 1 name",
        "organisation",
        "organisation name",
        "company name",
        "account name",
        "employer",
        "firma",
        "societe",
        "entreprise",
        "compania",
        "organizacion",
        "empresa",
        "bedrijf",
        "societa",
        "azienda",
        "会社",
        "会社名",
    ),
    "title": (
        "position",
        "job title",
        "organization title",
        "organization 1 title",
        "jobtitle",
        "fonction",
        "puesto",
        "cargo",
        "functie",
        "posizione",
        "qualifica",
        "役職",
    ),
    "profile_url": ("url", "profile url", "linkedin url", "linkedin profile"),
    "connected_on": ("connected on", "connected", "verbunden am", "connecte le"),
    "source_uid": ("uid", "contact id"),
    "email": (
        "email",
        "e mail",
        "mail",
        "courriel",
        "correo electronico",
        "correo",
        "email address",
        "e mail address",
        "メールアドレス",
    ),
}
_BY_EXACT = {name: field for field, names in _EXACT.items() for name in names}

_EMAIL_WORDS = ("e mail", "email", "mail", "courriel", "correo", "posta elettronica", "messagerie")
# As whole words these name an address column on their own: "Primary Email", "Alternate Email 1",
# "Work E-mail" (not "Mailing Address", a postal one).
_EMAIL_TOKENS = frozenset({"email", "emails", "mail", "courriel", "correo"})
_ADDRESS_WORDS = ("address", "adresse", "adres", "value", "direccion", "indirizzo", "endereco")
_PHONE_WORDS = (
    "phone",
    "telefon",
    "telephone",
    "telefono",
    "telefoon",
    "telefone",
    "mobile",
    "mobil",
    "cellulare",
    "celular",
    "handy",
    "電話",
    "携帯",
)
_NOT_VALUES = (
    "type",
    "typ",
    "label",
    "display",
    "anzeige",
    "affichage",
    "tipo",
    "weergave",
    "visualizzato",
    "fax",
    "exibicao",
    "pager",
    "opt",
    "consent",
    "status",
    "verified",
    "bounced",
    "domain",
    # How a name is pronounced, not a number: Google's "Phonetic First Name", Outlook's "Yomi".
    "phonetic",
    "phonetique",
    "fonetico",
    "yomi",
)


@lru_cache(maxsize=1 << 12)  # a header repeated inside a file is checked cell by cell
def header_key(header: str) -> str:
    """A header as compared: accents dropped, lower case, punctuation to single spaces."""
    text = unicodedata.normalize("NFKD", header.strip().strip("\ufeff"))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return " ".join(re.sub(r"[^\w]+", " ", text).split())


def field_of(key: str) -> str | None:
    """The field a column with this header key holds, or None for a column we do not read."""
    exact = _BY_EXACT.get(key)
    if exact:
        return exact
    words = f" {key} "
    if any(f" {w} " in words for w in _NOT_VALUES):
        return None
    if any(w in key for w in _EMAIL_WORDS) and any(w in key for w in _ADDRESS_WORDS):
        return "email"
    if _EMAIL_TOKENS & set(key.split()):
        return "email"
    if any(w in key for w in _PHONE_WORDS) and not key.endswith(" type"):
        return "phone"
    return None


@dataclass(frozen=True, slots=True)
class Layout:
    """What each column of a header holds (None: not read)."""

    columns: tuple[str | None, ...]

    @property
    def fields(self) -> frozenset[str]:
        return frozenset(c for c in self.columns if c)

    @property
    def readable(self) -> bool:
        """Enough to make contacts: a name or an email or a phone column."""
        names = {"first_name", "last_name", "full_name"}
        return bool(self.fields & (names | MULTI))


def layout_of(header: Sequence[str], column_map: Mapping[str, str] | None = None) -> Layout:
    """Fields per column; `column_map` (header as written -> field) wins over the vocabulary."""
    keys = [header_key(h) for h in header]
    overrides = {header_key(h): f for h, f in (column_map or {}).items()}
    columns: list[str | None] = []
    seen: set[str] = set()
    for key in keys:
        field = overrides[key] if key in overrides else field_of(key)
        if field == "last_name" and key == "apelido" and "sobrenome" in keys:
            field = "nickname"  # pt-BR: Apelido is a nickname when Sobrenome is the surname
        if field and field not in MULTI and field in seen:
            field = None  # the first column of a single-valued field wins
        if field:
            seen.add(field)
        columns.append(field)
    return Layout(tuple(columns))


def identify(header: Sequence[str]) -> str:
    """linkedin, google, outlook or csv: whose export a header row is."""
    keys = {header_key(h) for h in header}
    if "connected on" in keys or {"first name", "last name", "url", "position"} <= keys:
        return "linkedin"
    if (
        any(k.startswith(("e mail 1 ", "phone 1 ")) for k in keys)
        or {
            "given name",
            "family name",
            "group membership",
        }
        & keys
    ):
        return "google"
    outlook = (
        "e mail address",
        "e mail 2 address",
        "business phone",
        "mobile phone",
        "job title",
        "e mail adresse",
        "adresse de messagerie",
        "direccion de correo electronico",
        "e mailadres",
        "indirizzo posta elettronica",
        "endereco de email",
        "endereco de e mail",
        "mobiltelefon",
        "telefon geschaftlich",
        "vorname",
        "prenom",
        "voornaam",
        "cognome",
        "sobrenome",
        "apellidos",
    )
    if "primary email" in keys:
        return "csv"  # Thunderbird: Outlook's "Job Title", its own address columns
    if keys & set(outlook):
        return "outlook"
    return "csv"
