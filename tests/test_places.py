"""What kind of place a name is (index/places.py): the real GeoNames and ISO 3166-2 lists."""

from __future__ import annotations

import pytest

from index.places import places


@pytest.mark.parametrize(
    ("name", "kind", "country"),
    [
        ("Shanghai", "city", "DE"),  # a city, of another country
        ("Yunnan", "city", None),  # a province
        ("Chengdu", "subdivision", None),  # a city
        ("Germany", "city", None),  # a country
        ("Los Angeles", "subdivision", "US"),
    ],
)
def test_a_place_known_as_another_kind_or_country_is_ruled_out(
    name: str, kind: str, country: str | None
) -> None:
    assert places().rules_out(name, kind, country)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("name", "kind", "country"),
    [
        ("Munich", "city", "DE"),
        ("Tengchong", "city", "CN"),  # GeoNames' "Tengyue", by its other name
        ("New York", "city", "US"),  # a state and a city
        ("Georgia", "subdivision", "US"),  # a country and a state
        ("Tamil Nadu", "subdivision", None),  # ISO writes "Tamil Nādu"
        ("Milky Way", "city", None),  # unknown: never ruled out
    ],
)
def test_a_place_of_that_kind_or_one_the_lists_lack_is_not(
    name: str, kind: str, country: str | None
) -> None:
    assert not places().rules_out(name, kind, country)  # type: ignore[arg-type]


def test_known_places_and_the_countries_demonyms_name() -> None:
    gazetteer = places()
    assert gazetteer.holds("Kunming", "city") and gazetteer.holds("Guizhou", "subdivision")
    assert not gazetteer.holds("Milky Way", "city")
    assert [gazetteer.country_of(d) for d in ("German", "Spanish", "Chinese", "Kazakh")] == [
        "DE",
        "ES",
        "CN",
        "KZ",
    ]
    assert gazetteer.country_of("Germany") == "DE" and gazetteer.country_of("tall") is None
