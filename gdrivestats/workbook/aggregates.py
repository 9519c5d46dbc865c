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

_TOTAL_WORDS = (  # the word 'total' in many languages, as the start of a label: 'Total', 'Total, 16+'
    r"(?:grand\s+totals?|sub-?\s?totals?|totals?|общо|всичко|итого|всего|insgesamt|totale|razem|ogółem|celkem|"
    r"összesen|yhteensä|i alt|totalt|samtals|kokku|iš viso|kopā|ukupno|skupaj|toplam|جمع|合计|合計|总计)"
)
_TOTAL_ALONE = (  # the whole label, and a total by itself: 'World', 'National total', 'All items'
    r"(?:world|national total|whole country|all[- ]items|all (?:countries|regions|counties|industries|"
    r"occupations|persons|ages|sectors|products))"
)
_TOTAL_OR_NAME = (  # the whole label, but names too ('Sum 41', 'Whole', 'Todos'): a total only if it adds up
    r"(?:sum|all|overall|whole|gesamt|summe|ensemble|todos|todas|tous|national)"
)
TOTAL_LABEL = re.compile(
    rf"^(?:{_TOTAL_WORDS}(?P<rest>(?=$|[\s,.:;()\[\]\-–—/*]|\d).*)|{_TOTAL_ALONE}[\s.:*\d]*"
    rf"|(?P<name>{_TOTAL_OR_NAME})[\s.:*]*)$",
    re.IGNORECASE | re.DOTALL,
)
"""A label that starts with a total word ('Total ...', 'Общо ...') or is a total word alone ('All')."""
_WORD_REST = re.compile(  # what may follow the word in a label that is 'mostly the word'
    r"^(?:[\s.:*\d]*$|\s*[,:;(\[\-–—/]|\s+(?:for|of|in|all|overall|за|на|в|de|des|du|der|für|general)\b)",
    re.IGNORECASE,
)
_MARK_TAIL = re.compile(r"\s*(?:\*+|[†‡§¶]+|[⁰¹²³⁴⁵⁶⁷⁸⁹]+|\([a-zA-Z0-9]\)|\[[a-zA-Z0-9 ]+\])$")
_STARTS = frozenset(  # the first three letters of every total word: a set lookup rejects other labels
    {"tot", "gra", "sub", "общ", "все", "ито", "ins", "raz", "ogó", "cel", "öss", "yht", "i a", "sam", "kok"}
    | {
        "iš ",
        "kop",
        "uku",
        "sku",
        "top",
        "جمع",
        "sum",
        "all",
        "ove",
        "who",
        "ges",
        "ens",
        "tod",
        "tou",
        "wor",
    }
    | {"nat", "вси"}
)
_STARTS_2 = frozenset({"合计", "合計", "总计"})
TOTAL_WORD = 2  # the label is the word, or mostly the word: 'Total', 'Total, 16 years and over', 'Общо за'
TOTAL_NAMED = 1  # the word starts a longer name: 'Total softwood', 'Total Wine': a total only if it adds up


def total_kind(label: object) -> int:
    """TOTAL_WORD, TOTAL_NAMED or 0 for one label: the one rule for total labels, in every language."""
    if not isinstance(label, str):
        return 0
    text = _MARK_TAIL.sub("", re.sub(r"\s+", " ", label).strip())
    found = TOTAL_LABEL.match(text)
    if found is None:
        return 0
    if found.group("name") is not None:
        return TOTAL_NAMED
    rest = found.group("rest")
    return TOTAL_WORD if rest is None or _WORD_REST.match(rest) else TOTAL_NAMED


def total_kinds(values: pd.Series) -> np.ndarray:
    """total_kind of every cell of a column, computed once per distinct value (a 100,000-row column of a
    few hundred labels costs a few hundred matches)."""
    if isinstance(values.dtype, pd.StringDtype):  # text already: factorized as it is (Arrow), not as objects
        codes, found = pd.factorize(values, use_na_sentinel=True)
        uniques = list(found)
    else:
        codes, objects = pd.factorize(values.to_numpy(dtype=object), use_na_sentinel=True)
        uniques = objects.tolist()
    if not len(uniques):
        return np.zeros(len(values), dtype=np.int8)
    heads = [v.lstrip()[:3].lower() if isinstance(v, str) else "" for v in uniques]
    kinds = np.array(
        [
            total_kind(v) if h in _STARTS or h[:2] in _STARTS_2 else 0
            for v, h in zip(uniques, heads, strict=True)
        ],
        dtype=np.int8,
    )
    return np.where(codes >= 0, kinds[np.clip(codes, 0, None)], 0).astype(np.int8)


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


def _names_group(text: str) -> bool:
    """A label that names a group of countries: 'Euro area', 'High income', 'Africa'."""
    return bool(GROUP_WORDS.search(text)) or _key(text) in _CONTINENTS


def aggregate_label_mask(labels: pd.Series) -> pd.Series:
    """Rows of a list of countries whose label names a group of them (World, Euro area, High income).

    Total labels ('Total', 'Общо') are told by ``total_kinds`` and confirmed by their sums in ``rows``."""
    if not is_country_list(labels):
        return pd.Series(False, index=labels.index)
    codes, uniques = pd.factorize(labels.to_numpy(dtype=object), use_na_sentinel=True)
    texts = [str(v).strip() for v in uniques]
    groups = np.array([bool(t) and not is_country(t) and _names_group(t) for t in texts], dtype=bool)
    mask = np.where(codes >= 0, groups[np.clip(codes, 0, None)] if len(groups) else False, False)
    return pd.Series(mask.astype(bool), index=labels.index)
