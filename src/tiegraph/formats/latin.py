"""Western (Windows-1252) or Central European (Windows-1250): which reading gives real names.

The two code pages agree on ASCII and on many accented letters, and every byte of a Western
file also means *something* in Windows-1250, so a statistical detector given a short address
book often picks the wrong one: "Begoña Søren" comes out as "Begońa Sřren". People's names are
written in one language each, so a reading is judged word by word: a word is plausible when all
its accented letters belong to one language that writes them, and implausible when it mixes
letters no language writes together ("Dvoøák") or holds a symbol ("£ukasz", "Wro¹aw").
"""

from __future__ import annotations

import re

__all__ = ["LATIN_PAIR", "latin_reading", "spliced_into_latin"]

LATIN_PAIR = ("cp1252", "cp1250")  # in order of preference when both read as plausibly

# The accented letters each language writes (lower case), from its alphabet.
_ALPHABETS = {
    "es": "áéíóúñü",
    "pt": "áâãàçéêíóôõú",
    "fr": "àâçéèêëîïôœùûü",  # æ and ÿ only in a handful of loanwords and place names
    "it": "àèéìíòóùú",
    "ca": "àçèéíïòóúü",
    "de": "äöüßé",
    "nl": "éëïöüáèó",
    "da": "æøåé",
    "sv": "åäöé",
    "fi": "äöåšž",
    "is": "áðéíóúýþæö",
    "pl": "ąćęłńóśźż",
    "cs": "áčďéěíňóřšťúůýž",
    "sk": "áäčďéíĺľňóôŕšťúýž",
    "hu": "áéíóöőúüű",
    "ro": "ăâîșşțţ",
    "hr": "čćđšž",
    "sl": "čšž",
    "et": "äöõüšž",
    "sq": "çë",
}
_LANGUAGES: dict[str, frozenset[str]] = {}
for _language, _letters in _ALPHABETS.items():
    for _letter in _letters:
        _LANGUAGES[_letter] = _LANGUAGES.get(_letter, frozenset()) | {_language}

_WORD = re.compile(r"[^\s,;:\"'()\[\]<>/\\|@.=+*#&!?0-9_-]+")


def _judged(text: str) -> tuple[int, int]:
    """(plausible minus implausible words, languages needed to write the plausible ones).

    Only words with a non-ASCII character count. Of two readings whose words are all
    plausible, the one a single language explains ("Erdős, Győr" in Hungarian) beats one that
    needs several ("Erdõs" Estonian, "Mûszaki" French).
    """
    balance = 0
    plausible: list[frozenset[str]] = []
    for word in _WORD.findall(text):
        accented = {ch for ch in word.lower() if ord(ch) > 0x7F}
        if not accented:
            continue
        shared: frozenset[str] | None = None
        for letter in accented:
            languages = _LANGUAGES.get(letter, frozenset()) if letter.isalpha() else frozenset()
            shared = languages if shared is None else shared & languages
        if shared:
            balance += 1
            plausible.append(shared)
        else:
            balance -= 1
    return balance, _languages_needed(plausible)


def _languages_needed(words: list[frozenset[str]]) -> int:
    """How many languages a greedy cover of the words' language sets takes."""
    needed = 0
    while words:
        counts: dict[str, int] = {}
        for languages in words:
            for language in languages:
                counts[language] = counts.get(language, 0) + 1
        best = max(sorted(counts), key=counts.__getitem__)
        words = [languages for languages in words if best not in languages]
        needed += 1
    return needed


def latin_reading(data: bytes) -> str:
    """'cp1252' or 'cp1250', whichever reading of `data` holds more plausible words (then
    needs fewer languages for them); 'cp1252' when the two read alike."""
    western, central = (_judged(data.decode(codec, errors="replace")) for codec in LATIN_PAIR)
    if central[0] > western[0] or (central[0] == western[0] and central[1] < western[1]):
        return LATIN_PAIR[1]
    return LATIN_PAIR[0]


def spliced_into_latin(text: str) -> bool:
    """True when most words with a non-ASCII character mix ASCII letters with CJK ones.

    A detector may read the two accented bytes of "Jörg" as one Chinese character ("J顤g"):
    names in Chinese or Japanese are written wholly in their script, never inside a Latin word.
    """
    mixed = total = 0
    for word in _WORD.findall(text):
        if all(ord(ch) <= 0x7F for ch in word):
            continue
        total += 1
        if any(ch.isascii() and ch.isalpha() for ch in word) and any(
            ord(ch) >= 0x2E80 for ch in word
        ):
            mixed += 1
    return total > 0 and mixed * 2 >= total
