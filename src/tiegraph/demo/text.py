"""Text helpers of the demo: ASCII folding for mail addresses, slugs, seeded random streams."""

from __future__ import annotations

import math
import random
import unicodedata
from functools import lru_cache

# Letters NFKD does not decompose, spelled as people type them on an ASCII keyboard.
_SPELLED = str.maketrans(
    {
        "ø": "o",
        "Ø": "O",
        "ß": "ss",
        "æ": "ae",
        "Æ": "AE",
        "œ": "oe",
        "Œ": "OE",
        "ł": "l",
        "Ł": "L",
        "đ": "d",
        "Đ": "D",
        "ı": "i",
        "–": "-",
    }
)


@lru_cache(maxsize=1 << 16)  # names come from tables: a few thousand spellings
def ascii_fold(text: str) -> str:
    """`Jürgen Øyvind` -> `Jurgen Oyvind`: accents dropped, as address books and mail do."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_SPELLED))
    return "".join(char for char in decomposed if not unicodedata.combining(char))


@lru_cache(maxsize=1 << 16)  # names come from tables: a few thousand spellings
def address_part(text: str) -> str:
    """A name inside a mail address: `van der Berg` -> `vanderberg`, `O'Brien` -> `obrien`."""
    return "".join(char for char in ascii_fold(text).lower() if char.isalnum() and char.isascii())


@lru_cache(maxsize=1 << 16)  # names come from tables: a few thousand spellings
def slug(text: str) -> str:
    """Lower-case words joined by hyphens, for profile URLs and domains."""
    words = "".join(c if c.isalnum() else " " for c in ascii_fold(text).lower() if c.isascii())
    return "-".join(words.split())


def stream(seed: int, *keys: object) -> random.Random:
    """An independent random stream per (seed, keys): any part of the world can be regenerated
    alone, in any order, and comes out the same (string seeds are hashed with SHA-512)."""
    return random.Random("/".join(map(str, (seed, *keys))))


def poisson(rng: random.Random, mean: float) -> int:
    """A Poisson draw; normal approximation above 30, where Knuth's method gets slow."""
    if mean <= 0:
        return 0
    if mean > 30:
        return max(0, round(rng.gauss(mean, mean**0.5)))
    limit, product, count = math.exp(-mean), rng.random(), 0
    while product > limit:
        product *= rng.random()
        count += 1
    return count
