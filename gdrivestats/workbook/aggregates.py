"""Aggregate rows told apart from the units they sum: World, regions, income groups, totals in many languages.

Two signals by label: a total word in the label (Total, Sum, All, Общо, Insgesamt ...), and, in a list of
countries (most labels are ISO 3166 countries, by ``pycountry``), a label that is not a country and names a
group of them (World, Euro area, Sub-Saharan Africa, Least developed countries, High income).
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

import numpy as np
import pandas as pd

_TOTAL_WORDS = (  # a label that starts with one of these, then ends or goes on after a break: 'Total, 16+'
    r"(?:total|totals|grand total|sub-?total|общо|всичко|итого|всего|insgesamt|totale|razem|ogółem|celkem|"
    r"összesen|yhteensä|i alt|totalt|samtals|kokku|iš viso|kopā|ukupno|skupaj|toplam|جمع|合计|合計|总计)"
    r"(?=$|[\s,.:;()\[\]\-–—/*]|\d)"
)
_TOTAL_ALONE = (  # words that are names too ('All Saints', 'Whole Foods', 'Summer'): the whole label only
    r"(?:sum|all|overall|whole|gesamt|summe|ensemble|todos|todas|tous|all[- ]items|all industries|"
    r"all occupations|all persons|all ages|all countries|all sectors|all products)[\s.:*\d]*$"
)
MANY_LANGUAGE_TOTAL = re.compile(rf"^(?:{_TOTAL_WORDS}|{_TOTAL_ALONE})", re.IGNORECASE)
GROUP_WORDS = re.compile(
    r"\b(?:world|countries|economies|income|area|union|members?|group|groups|regions?|developing|developed|"
    r"advanced|emerging|oecd|g7|g20|asean|opec|sub-saharan|arab states|latin america|east asia|south asia|"
    r"middle east|north africa|central asia|caribbean|pacific|small island|least developed|"
    r"human development|euro|eu\d*|ea\d*|total|dependencies|territories|others?|organi[sz]ation|"
    r"co-?operation)\b",
    re.IGNORECASE,
)
_CONTINENTS = {"africa", "asia", "europe", "americas", "oceania", "america", "north america", "south america"}


def _key(text: str) -> str:
    """A name reduced to lower-case letters and digits, accents removed: 'Côte d'Ivoire' -> 'cotedivoire'."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", text.lower())


@cache
def _country_keys() -> frozenset[str]:
    """Every ISO 3166 country name (short, official, common) and alpha-2/alpha-3 code, as keys."""
    import pycountry  # imported here: only tables of countries need it

    keys: set[str] = set()
    for country in pycountry.countries:
        for attr in ("name", "official_name", "common_name"):
            name = getattr(country, attr, None)
            if name:
                keys.add(_key(name))
                keys.add(_key(name.split(",")[0]))
        keys.add(country.alpha_3.lower())
    keys |= {_key(n) for n in _ALIASES}
    return frozenset(k for k in keys if k)


_ALIASES = (
    "Kosovo",
    "Turkey",
    "Türkiye",
    "Russia",
    "Iran",
    "Syria",
    "Vietnam",
    "Laos",
    "South Korea",
    "North Korea",
    "Korea",
    "Czech Republic",
    "Swaziland",
    "Cape Verde",
    "Ivory Coast",
    "Macedonia",
    "Burma",
    "East Timor",
    "Hong Kong",
    "Macao",
    "Taiwan",
    "Palestine",
    "Bolivia",
    "Venezuela",
    "Tanzania",
    "Moldova",
    "Micronesia",
    "Congo",
    "Brunei",
    "Vatican",
    "Gambia",
    "Bahamas",
)


def is_country(label: str) -> bool:
    """Whether a label names a country: 'Kenya', 'Bolivia (Plurinational State of)', 'Germany (until ...)'."""
    text = label.strip()
    if not text:
        return False
    keys = _country_keys()
    head = re.split(r"[,(]", text)[0]
    inner = re.sub(r"\s*\(([^()]*)\)", r", \1", text)
    return any(_key(t) in keys for t in (text, head, inner, inner.split(",")[0]))


def is_country_list(labels: pd.Series) -> bool:
    """Most labels are countries (at least 10 of them, 60% of the labels)."""
    present = labels.dropna().astype("str").str.strip()
    present = present[present != ""]
    if len(present) < 10:
        return False
    countries = sum(is_country(t) for t in present.head(400))
    return countries >= 10 and countries >= 0.6 * min(len(present), 400)


def aggregate_label_mask(labels: pd.Series) -> tuple[pd.Series, str]:
    """Rows whose label says they aggregate others, and the kind ('country groups' or 'totals')."""
    text = labels.astype("str").str.strip().where(labels.notna(), "")
    totals = text.str.match(MANY_LANGUAGE_TOTAL.pattern, case=False).fillna(False).astype(bool)
    if not is_country_list(labels):
        return totals, "totals"
    groups = np.array(
        [
            bool(t) and not is_country(t) and (bool(GROUP_WORDS.search(t)) or _key(t) in _CONTINENTS)
            for t in text
        ]
    )
    return totals | pd.Series(groups, index=labels.index), "country groups"


def confirmed_totals(data: pd.DataFrame, by_label: pd.Series, additive: list[str]) -> pd.Series:
    """Rows labelled as totals that are where totals are (the first or the last row) or as large as every
    other row in a column that adds up: a shop called 'Total Wine' in the middle of a list stays data."""
    positions = np.flatnonzero(by_label.to_numpy())
    keep = np.zeros(len(data), dtype=bool)
    columns = [np.nan_to_num(pd.to_numeric(data[c], errors="coerce").to_numpy(dtype=float)) for c in additive]
    others = [np.delete(values, positions) for values in columns]
    for at in positions:
        largest = any(len(o) and values[at] >= o.max() for values, o in zip(columns, others, strict=True))
        keep[at] = at in (0, len(data) - 1) or largest
    return pd.Series(keep, index=data.index)
