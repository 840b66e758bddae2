"""Person names: normalized parts, full-name splitting, last-name keys, first-name nicknames."""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache

__all__ = [
    "PARTICLES",
    "first_name_variants",
    "fold_accents",
    "last_name_key",
    "name_at_company",
    "normalize_name_part",
    "same_first_name",
    "split_full_name",
]


def _words(text: str) -> frozenset[str]:
    """The whitespace-separated words of a data table written as text."""
    return frozenset(text.split())


# Letters NFKD leaves whole although people write them without their stroke or as two letters.
_FOLD = str.maketrans(
    {"ø": "o", "đ": "d", "ð": "d", "ł": "l", "ŀ": "l", "ħ": "h", "ŧ": "t", "ı": "i",
     "æ": "ae", "œ": "oe", "þ": "th", "ĳ": "ij"}
)  # fmt: skip
# Apostrophes join ("O'Brien" = "OBrien"); every other non-letter separates words.
_JOINERS = frozenset("'’‘`´ʼʻ")
_ASCII_NAME = {
    code: (None if chr(code) in _JOINERS else " ") for code in range(128) if not chr(code).isalpha()
}
# Marks that are part of the letter in these scripts (Indic vowel signs, kana voicing), unlike
# Latin, Greek or Cyrillic accents, which people drop freely when typing a name.
_KEPT_MARK_BASES = ((0x0900, 0x109F), (0x1780, 0x17FF), (0x3040, 0x30FF))

# Lowercase, dot-less forms. Kept short on purpose: a surname that is also a title or suffix
# ("Ma", "Ba", "Do") must not vanish, so ambiguous two-letter degrees are left out.
_TITLES = _words(
    "mr mrs ms miss mx dr prof professor sir dame lord lady rev fr hon herr frau mme mlle "
    "sra srta dott dssa ing dipl mag capt col gen lt maj sgt"
)
_SUFFIXES = _words(
    "jr sr ii iii iv phd mba md dds dmd esq cpa cfa pmp msc bsc meng llm jd rn mph cissp "
    "frcs facs mbbs obe mbe cbe kbe"
)
PARTICLES = _words(
    "van von der den de del della dello degli dei di da das dos do du la le lo les "
    "ter ten te vander vande zu zum zur af av bin binti binte bint ibn al el ul"
)
_PARENS = re.compile(r"\([^)]*\)|\[[^\]]*\]")

# Two-character family names; without them 欧阳娜娜 would be split as 欧 + 阳娜娜.
_CHINESE_COMPOUND = _words(
    "欧阳 司马 诸葛 上官 东方 皇甫 令狐 慕容 尉迟 夏侯 公孙 长孙 宇文 轩辕 司徒 端木 "
    "歐陽 司馬 諸葛 東方 長孫 軒轅"
)
_KOREAN_COMPOUND = _words("남궁 황보 제갈 선우 독고 사공 서문")
_CJK_HONORIFICS = ("さん", "さま", "様", "先生", "氏", "님", "씨")

# Hypocoristics the `nicknames` data (English-language) lacks: "formal: short forms", written
# without accents (lookups are accent-blind: "Álex" is "alex"). Short forms that stand for many
# names in one language ("Lele", "Fer") are left out; a form two names share ("Beto": Roberto,
# Alberto) only suggests, since a nickname decides only when one person answers it.
_MORE_NICKNAMES = """
alejandro: alex ale jandro | alejandra: alex ale jandra | alexander: xander sasha |
alexandra: sasha | antonio: toni tono tonino toninho tonio | dolores: lola loles |
concepcion: concha conchi conchita | consuelo: chelo | enrique: quique kike |
francisco: paco pancho curro chico | francisca: paca paquita | guadalupe: lupe lupita |
ignacio: nacho | jesus: chuy chucho | jose: pepe | josefa: pepa | josefina: pepita |
manuel: manolo manu | manuela: manoli | mercedes: merche meche | rosario: charo chayo |
pilar: pili | guillermo: memo guille | roberto: beto | alberto: beto | eduardo: lalo dudu |
fernando: nando | fernanda: nanda | santiago: santi | sebastian: sebas basti |
beatriz: bea bia | beatrice: bea | asuncion: asun | inmaculada: inma | montserrat: montse |
purificacion: puri | encarnacion: encarna | trinidad: trini | gregorio: goyo | javier: javi |
rodrigo: rodri | gonzalo: gonza | gabriela: gabi | gabriele: gabi | rafael: rafa |
alessandro: sandro | alessandra: sandra | giuseppe: beppe peppe pino | giuseppina: pina |
giovanni: gianni vanni | francesco: cesco checco | salvatore: toto turi | vincenzo: enzo |
lorenzo: renzo | domenico: mimmo | filippo: pippo | federico: fede | massimiliano: massi |
elisabetta: betta | margherita: rita | wolfgang: wolf wolfi | franziska: franzi |
johannes: hannes | joachim: jochen achim | friedrich: fritz | heinrich: heinz |
katharina: kathi | stefanie: steffi | maximilian: maxi | andreas: andi | susanne: susi |
dietrich: dieter | nikolaus: klaus | bernhard: bernd | cornelis: kees | jacobus: koos |
hendrik: henk | petrus: piet | adrianus: arie | frederic: fred | sebastien: seb |
stephane: steph | alexandre: alex | emmanuel: manu | emmanuelle: manu | isabelle: isa |
aleksandr: sasha sanya | aleksandra: sasha | mikhail: misha | dmitry: dima | dmitri: dima |
ivan: vanya | vladimir: volodya vova | yekaterina: katya | ekaterina: katya | tatiana: tanya |
natalia: natasha | yevgeny: zhenya | evgeny: zhenya | anastasia: nastya | elena: lena |
nikolai: kolya | svetlana: sveta | pavel: pasha | konstantin: kostya | malgorzata: gosia |
katarzyna: kasia | wojciech: wojtek | tomasz: tomek | magdalena: magda |
konstantinos: kostas | georgios: giorgos | panagiotis: panos | athanasios: thanos thanasis |
oluwaseun: seun | oluwatobi: tobi | oluwafemi: femi | olufunmilayo: funmi | adebayo: bayo |
babatunde: tunde | chukwuemeka: emeka | adewale: wale | ikechukwu: ike | chiamaka: amaka |
olusegun: segun | oluwatoyin: toyin | avraham: avi | yosef: yossi | binyamin: beni
"""


@lru_cache(maxsize=1 << 16)  # a page compares the same few names many times (core/paths.py)
def fold_accents(text: str) -> str:
    """`text` casefolded, without the accents people drop when typing it ("Ærø" → "aero")."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", text).casefold())
    out: list[str] = []
    base = 0
    for ch in decomposed.translate(_FOLD):
        if unicodedata.combining(ch) or unicodedata.category(ch)[0] == "M":
            if any(lo <= base <= hi for lo, hi in _KEPT_MARK_BASES):
                out.append(ch)
            continue
        base = ord(ch)
        out.append(ch)
    return unicodedata.normalize("NFC", "".join(out))


@lru_cache(maxsize=1 << 17)
def normalize_name_part(raw: str) -> str:
    """A name part as a comparable string: no accents, casefolded, letters and single spaces.

    "Müller" → "muller", "O'Brien" → "obrien", "Jean-Luc" → "jean luc", "山田" → "山田".
    """
    if raw.isascii():  # most names: the same result without Unicode decomposition, 5x faster
        return " ".join(raw.lower().translate(_ASCII_NAME).split())
    out = [
        ch if ch.isalpha() or unicodedata.category(ch)[0] == "M" else " "
        for ch in fold_accents(raw)
        if ch not in _JOINERS
    ]
    return unicodedata.normalize("NFC", " ".join("".join(out).split()))


@lru_cache(maxsize=1 << 17)
def last_name_key(last: str) -> str:
    """The key two spellings of one last name share: no leading particles, no spaces.

    "van der Berg", "Van Der Berg" and "Berg" all give "berg": directories disagree on whether
    the particle belongs to the last name (Dutch records often file "van der" apart), so the key
    ignores it, and the first name plus company still keep unrelated Bergs apart. A name made
    only of particles keeps its last word ("Le" stays "le"). "Smith-Jones" = "Smith Jones" =
    "smithjones". One-word spellings ("Vanderberg") cannot be told from a particle and stay whole.
    """
    words = normalize_name_part(last).split()
    while len(words) > 1 and words[0] in PARTICLES:
        words.pop(0)
    return "".join(words)


def split_full_name(full: str) -> tuple[str, str]:
    """(first, last) from a full name as written; titles, suffixes and notes in brackets dropped.

    Handles "Last, First", "Dr. Jane Doe, PhD", particles ("Ludwig van Beethoven" → last
    "van Beethoven") and CJK names written family name first ("山田太郎" → ("太郎", "山田")).
    Given names stay together in first ("John Paul Smith" → ("John Paul", "Smith")). Both
    parts are returned as written; normalize them separately.
    """
    # Words without a letter (emoji, "-", "|") carry no name; commas still split "Last, First".
    parts = [
        " ".join(w for w in part.split() if any(ch.isalpha() for ch in w))
        for part in _PARENS.sub(" ", full).split(",")
    ]
    parts = [p for p in parts if p]
    if not parts:
        return "", ""
    if _is_cjk(" ".join(parts)):
        return _split_cjk(" ".join(parts))
    parts = [p for p in parts if not all(_word(w) in _SUFFIXES for w in p.split())] or parts[:1]
    if len(parts) >= 2:
        last_words = _strip_suffixes(parts[0].split())
        first_words, _ = _strip_titles(parts[1].split())
        return " ".join(_strip_suffixes(first_words)), " ".join(last_words)
    words, had_title = _strip_titles(" ".join(parts).split())
    words = _strip_suffixes(words)
    if len(words) == 1 and _word(words[0]) in _TITLES:
        return "", ""
    if len(words) == 1:
        # "Dr. Smith" names a last name; a lone "Bob" (a display name) is a first name.
        return ("", words[0]) if had_title else (words[0], "")
    start = next(
        (i for i in range(1, len(words) - 1) if _word(words[i]) in PARTICLES), len(words) - 1
    )
    return " ".join(words[:start]), " ".join(words[start:])


@lru_cache(maxsize=1 << 16)  # asked again and again by imports, for a few thousand names
def first_name_variants(first: str) -> frozenset[str]:
    """The normalized first name with its nicknames and the names it is a nickname of.

    "Bob" → {"bob", "robert", ...}; "William" → {"william", "bill", "will", ...}. Only direct
    relations in the `nicknames` data, never their closure: Bob and Bill are both linked to
    Robert in that data, yet nobody would say Bob is Bill.
    """
    name = normalize_name_part(first)
    if not name:
        return frozenset()
    return _nickname_table().get(name, frozenset((name,)))


def same_first_name(a: str, b: str) -> bool:
    """Whether two first names name the same person: equal once normalized, or nicknames."""
    na, nb = normalize_name_part(a), normalize_name_part(b)
    if not na or not nb:
        return False
    return na == nb or nb in first_name_variants(na)


@cache
def _nickname_table() -> dict[str, frozenset[str]]:
    # Loaded on first use: the data file takes a few milliseconds to read, and most processes
    # (a web request, a CLI query) never compare first names.
    from nicknames import NickNamer

    namer = NickNamer()
    related: dict[str, set[str]] = {}
    for lookup in (namer.nickname_lookup, namer.canonical_lookup):
        for name, others in lookup.items():
            key = normalize_name_part(name)
            related.setdefault(key, {key}).update(normalize_name_part(o) for o in others)
    for entry in _MORE_NICKNAMES.split("|"):
        formal, _, shorts = entry.partition(":")
        formal = formal.strip()
        for short in shorts.split():
            related.setdefault(formal, {formal}).add(short)
            related.setdefault(short, {short}).add(formal)
    return {name: frozenset(v for v in names if v) for name, names in related.items() if name}


def _word(token: str) -> str:
    return token.replace(".", "").casefold()


def _strip_titles(words: list[str]) -> tuple[list[str], bool]:
    had_title = False
    while len(words) > 1 and _word(words[0]) in _TITLES:
        words = words[1:]
        had_title = True
    return words, had_title


def _strip_suffixes(words: list[str]) -> list[str]:
    while len(words) > 1 and _word(words[-1]) in _SUFFIXES:
        words = words[:-1]
    return words


def _is_cjk(text: str) -> bool:
    letters = [ch for ch in text if ch.isalpha()]
    return bool(letters) and all(_cjk_script(ch) for ch in letters)


def _cjk_script(ch: str) -> str:
    code = ord(ch)
    if 0x3040 <= code <= 0x30FF or 0x31F0 <= code <= 0x31FF or 0xFF66 <= code <= 0xFF9F:
        return "kana"
    if 0xAC00 <= code <= 0xD7AF or 0x1100 <= code <= 0x11FF or 0x3130 <= code <= 0x318F:
        return "hangul"
    if 0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF or 0xF900 <= code <= 0xFAFF:
        return "han"
    return ""


def _split_cjk(text: str) -> tuple[str, str]:
    if "・" in text or "･" in text:  # katakana foreign names keep Western order: ジョン・スミス
        words = [w for w in re.split(r"[・･\s]+", text) if w]
        return " ".join(words[:-1]), words[-1]
    for honorific in _CJK_HONORIFICS:
        if text.endswith(honorific) and len(text) - len(honorific) >= 2:
            text = text[: -len(honorific)].rstrip()
            break
    words = text.split()
    if len(words) > 1:  # written with a space: family name first
        return " ".join(words[1:]), words[0]
    scripts = [_cjk_script(ch) for ch in text]
    if len(text) < 2:
        return text, ""
    if scripts[0] == "hangul":
        cut = 2 if text[:2] in _KOREAN_COMPOUND and len(text) > 2 else 1
    elif "kana" in scripts:
        # Japanese with a kana given name: the family name is the leading run of kanji.
        cut = next((i for i, s in enumerate(scripts) if s != "han"), 0)
        if cut == 0:
            return text, ""
    elif text[:2] in _CHINESE_COMPOUND and len(text) > 2:
        cut = 2
    else:
        # Chinese names are mostly 2-3 characters with a one-character family name; four kanji
        # without a known compound are most often Japanese, whose family names mostly have two.
        cut = 1 if len(text) <= 3 else 2
    return text[cut:], text[:cut]


def name_at_company(
    first: str, last: str, full: str, company_key: str
) -> tuple[str, str, str] | None:
    """(first name, last name key, company key): what one person written twice shares, or None
    when a part is missing (a first name alone at a company is too little to call them one)."""
    if not (first and last) and full and "@" not in full:
        first, last = split_full_name(full)
    key = (normalize_name_part(first), last_name_key(last), company_key)
    return key if all(key) else None
