"""Phone numbers of the demo, all from ranges reserved for fiction, in the forms people write."""

from __future__ import annotations

from dataclasses import dataclass

# Ranges set aside for drama and documentation, so no generated number rings anyone:
# US 555-0100..0199 (NANPA), UK Ofcom drama ranges, French ARCEP fiction ranges, Australian
# ACMA fiction ranges. Each entry: national significant number prefix, free digits after it.
_US_AREA_CODES = (
    "201 202 203 205 206 207 208 212 213 214 215 216 217 218 219 224 225 228 229 231 234 239 "
    "240 248 251 252 253 254 256 260 262 267 269 270 281 301 302 303 304 305 307 308 309 310 "
    "312 313 314 315 316 317 318 319 320 321 323 330 334 336 337 339 347 352 360 361 386 401 "
    "402 404 405 406 407 408 409 410 412 413 414 415 417 419 423 424 425 432 434 435 440 443 "
    "469 478 479 480 484 501 502 503 504 505 507 508 509 510 512 513 515 516 517 518 520 530"
)
_US_AREAS = _US_AREA_CODES.split()
_RANGES: dict[str, tuple[tuple[str, int], ...]] = {
    "US": tuple((f"{area}55501", 2) for area in _US_AREAS),
    "GB": (
        ("2079460", 3),
        ("1134960", 3),
        ("1144960", 3),
        ("1164960", 3),
        ("1174960", 3),
        ("1184960", 3),
        ("1214960", 3),
        ("1314960", 3),
        ("1414960", 3),
        ("1514960", 3),
        ("1614960", 3),
        ("1914980", 3),
        ("2920180", 3),
    ),
    "FR": (("19900", 4), ("26191", 4), ("35301", 4), ("46571", 4), ("53649", 4), ("97742", 4)),
    "AU": (("25550", 4), ("35550", 4), ("75550", 4), ("85550", 4)),
}
_CALLING_CODES = {"US": "1", "GB": "44", "FR": "33", "AU": "61"}
# Slots are dealt to countries in this repeating pattern: how often each country comes up.
_PATTERN = ("US",) * 8 + ("GB",) * 5 + ("FR",) * 3 + ("AU",) * 4
_PER_CYCLE = {country: _PATTERN.count(country) for country in _CALLING_CODES}
_CAPACITY = {country: sum(10**free for _, free in ranges) for country, ranges in _RANGES.items()}


@dataclass(frozen=True, slots=True)
class Phone:
    """One phone number: its country and national significant number."""

    country: str
    national_number: str

    @property
    def e164(self) -> str:
        return f"+{_CALLING_CODES[self.country]}{self.national_number}"

    def national(self) -> str:
        """As dialled inside the country: `(415) 555-0123`, `020 7946 0123`, `01 99 00 12 34`."""
        n = self.national_number
        if self.country == "US":
            return f"({n[:3]}) {n[3:6]}-{n[6:]}"
        if self.country == "GB":
            cut = 2 if n[0] == "2" else 3
            return f"0{n[:cut]} {n[cut : cut + 4 if cut == 2 else cut + 3]} {n[-4:]}"
        if self.country == "FR":
            digits = "0" + n
            return " ".join(digits[i : i + 2] for i in range(0, 10, 2))
        return f"(0{n[0]}) {n[1:5]} {n[5:]}"

    def international(self) -> str:
        """With spaces, as on a business card: `+1 415-555-0123`, `+44 20 7946 0123`."""
        national = self.national()
        if self.country == "US":
            return f"+1 {national[1:4]}-{national[6:]}"
        return f"+{_CALLING_CODES[self.country]} {national.lstrip('(0').replace(')', '')}"


def phone_for_slot(slot: int) -> Phone | None:
    """The phone of a slot; distinct slots never share a number, and None once a range is full."""
    cycle, position = divmod(slot, len(_PATTERN))
    country = _PATTERN[position]
    rank = _PATTERN[:position].count(country)
    index = cycle * _PER_CYCLE[country] + rank
    if index >= _CAPACITY[country]:
        return None
    for prefix, free in _RANGES[country]:
        if index < 10**free:
            return Phone(country, f"{prefix}{index:0{free}d}")
        index -= 10**free
    return None  # pragma: no cover - the capacity check above makes this unreachable
