"""Unit tests of the q-language tokenizer, parser and evaluator."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import cast

import pytest

from gdrivestats.emulator.query import (
    And,
    Comparison,
    Membership,
    Not,
    Or,
    QueryError,
    parent_ids,
    parse_query,
    required_parents,
    tokenize,
    word_prefix_match,
)


def facts(**overrides: object) -> dict[str, object]:
    base: dict[str, object] = {
        "name": "Budget 2024.xlsx",
        "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "trashed": False,
        "starred": False,
        "parents": ["P1"],
        "modifiedTime": datetime(2024, 5, 1, 12, 0, tzinfo=UTC),
        "createdTime": datetime(2024, 1, 1, tzinfo=UTC),
        "owners": ["me"],
        "fullText": "Budget 2024.xlsx",
    }
    base.update(overrides)
    return base


def test_tokenizer_unescapes_quotes_and_backslashes() -> None:
    tokens = tokenize(r"name = 'quinn\'s paper\\essay'")
    assert [t.kind for t in tokens] == ["word", "op", "string", "end"]
    assert tokens[2].text == "quinn's paper\\essay"


def test_escaped_quote_matches_name_with_apostrophe() -> None:
    node = parse_query(r"name = 'Bob\'s sheet'")
    assert node.evaluate(facts(name="Bob's sheet"))
    assert not node.evaluate(facts(name="Bobs sheet"))


def test_and_binds_tighter_than_or() -> None:
    node = parse_query("name = 'a' or name = 'b' and trashed = true")
    assert isinstance(node, Or)
    assert isinstance(node.parts[1], And)
    assert node.evaluate(facts(name="a", trashed=False))
    assert not node.evaluate(facts(name="b", trashed=False))


def test_parentheses_override_precedence() -> None:
    node = parse_query("(name = 'a' or name = 'b') and trashed = true")
    assert isinstance(node, And)
    assert not node.evaluate(facts(name="a", trashed=False))
    assert node.evaluate(facts(name="b", trashed=True))


def test_not_binds_tightest() -> None:
    node = parse_query("not name = 'a' and trashed = false")
    assert isinstance(node, And) and isinstance(node.parts[0], Not)
    assert node.evaluate(facts(name="b"))
    assert not node.evaluate(facts(name="a"))


def test_keywords_are_case_insensitive() -> None:
    node = parse_query("name = 'a' OR NOT trashed = TRUE")
    assert node.evaluate(facts(name="z", trashed=False))


def test_parents_joined_with_or() -> None:
    node = parse_query("'P1' in parents or 'P2' in parents")
    assert parent_ids(node) == {"P1", "P2"}
    assert node.evaluate(facts(parents=["P2"]))
    assert not node.evaluate(facts(parents=["P3"]))
    assert isinstance(parse_query("'me' in owners"), Membership)


def test_mime_type_equality_and_inequality() -> None:
    folder = "application/vnd.google-apps.folder"
    assert parse_query(f"mimeType != '{folder}'").evaluate(facts())
    assert parse_query(f"mimeType = '{folder}'").evaluate(facts(mimeType=folder))


def test_name_contains_is_a_word_prefix_match() -> None:
    assert parse_query("name contains 'Budg'").evaluate(facts())
    assert parse_query("name contains '2024'").evaluate(facts())
    assert parse_query("name contains 'budget'").evaluate(facts())
    assert not parse_query("name contains 'udget'").evaluate(facts())
    assert word_prefix_match("HelloWorld", "Hello")
    assert not word_prefix_match("HelloWorld", "World")
    assert word_prefix_match("Hello World", "World")


def test_modified_time_comparisons() -> None:
    assert parse_query("modifiedTime > '2024-04-30T00:00:00'").evaluate(facts())
    assert parse_query("modifiedTime <= '2024-05-01T12:00:00Z'").evaluate(facts())
    assert not parse_query("modifiedTime < '2024-05-01T12:00:00.000Z'").evaluate(facts())
    assert parse_query("modifiedTime >= '2024-05-01T14:00:00+02:00'").evaluate(facts())
    node = parse_query("modifiedTime > '2024-01-01T00:00:00'")
    assert isinstance(node, Comparison) and node.value == datetime(2024, 1, 1, tzinfo=UTC)


def test_trashed_boolean() -> None:
    assert parse_query("trashed = false").evaluate(facts())
    assert not parse_query("trashed = true").evaluate(facts())
    assert parse_query("trashed != true").evaluate(facts())


def test_bare_boolean_term() -> None:
    node = parse_query("sharedWithMe or starred and not trashed")
    assert node.evaluate(facts(sharedWithMe=False, starred=True))
    assert not node.evaluate(facts(sharedWithMe=False, starred=False))


def test_empty_query_matches_everything() -> None:
    assert parse_query("").evaluate(facts())
    assert parse_query("   ").evaluate(facts())


@pytest.mark.parametrize(
    "bad",
    [
        "name = 'unterminated",
        "name 'x'",
        "name = 'a' and",
        "(name = 'a'",
        "name = 'a')",
        "'x' in nowhere",
        "trashed = 'yes'",
        "modifiedTime > 'not a time'",
        "name > 3",
        "size = '3'",
        "name = 'a' # comment",
        "name = 'a' and or name = 'b'",
    ],
)
def test_malformed_queries_are_rejected(bad: str) -> None:
    with pytest.raises(QueryError):
        parse_query(bad)


@pytest.mark.parametrize(
    ("q", "required"),
    [
        ("'A' in parents", {"A"}),
        ("'A' in parents and trashed = false", {"A"}),
        ("('A' in parents or 'B' in parents) and name = 'x'", {"A", "B"}),
        ("'A' in parents and ('B' in parents or 'C' in parents)", {"A"}),  # the smaller of the two
        ("'A' in parents or name = 'x'", None),  # a file of any folder may be named x
        ("not 'A' in parents", None),
        ("name contains 'budget'", None),
        ("'me' in owners", None),
    ],
)
def test_required_parents_says_which_folders_a_match_must_be_in(q: str, required: set[str] | None) -> None:
    assert required_parents(parse_query(q)) == required


def test_required_parents_never_rules_out_a_match() -> None:
    """Over combinations of clauses, every file the query matches has one of the required parents."""
    queries = [
        "('P1' in parents or 'P2' in parents) and trashed = false",
        "'P2' in parents and not name contains 'Budget'",
        "('P1' in parents and starred = false) or ('P3' in parents and trashed = false)",
    ]
    files = [facts(parents=[p], name=n) for p in ("P1", "P2", "P3", "P4") for n in ("Budget", "Other")]
    for q in queries:
        node = parse_query(q)
        required = required_parents(node)
        assert required is not None
        matched = [f for f in files if node.evaluate(f)]
        assert matched, q
        assert all(set(cast("list[str]", f["parents"])) & required for f in matched), q
