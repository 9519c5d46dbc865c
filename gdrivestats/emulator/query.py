"""The files.list ``q`` language: a tokenizer, a recursive-descent parser and an evaluator.

Grammar (``not`` binds tighter than ``and``, which binds tighter than ``or``)::

    query      := or_expr
    or_expr    := and_expr ("or" and_expr)*
    and_expr   := unary ("and" unary)*
    unary      := "not" unary | "(" or_expr ")" | term
    term       := STRING "in" FIELD                 'ID' in parents, 'me' in owners
                | BOOLEAN_FIELD                      bare: sharedWithMe means sharedWithMe = true
                | ("properties" | "appProperties") "has" "{" "key" "=" STRING "and" "value" "=" STRING "}"
                | FIELD OP value                     OP: = != < <= > >=
                | FIELD "contains" STRING
    value      := STRING | "true" | "false" | NUMBER

Strings are quoted with ``'`` (or ``"``); inside them ``\\'`` is a quote and ``\\\\`` a backslash.
Keywords are case-insensitive; field names are case-sensitive, as Drive treats them.

Matching rules follow the Drive documentation: ``name contains 'x'`` is a case-insensitive prefix match
on the name or on any word of it (so ``'Hello'`` matches ``HelloWorld`` and ``Hello World``, but ``'World'``
matches only the second); a value of several words matches when each word prefixes some word of the name,
in any order. ``fullText contains`` matches whole words (case-insensitive) of the name, description and
content, every word of the value in any order; a value in double quotes (``'"a b"'``) is an exact phrase.
``name =`` is exact. Times without an offset are UTC. Also supported: ``shortcutDetails.targetId =``,
``visibility =`` and ``sharedWithMe``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from gdrivestats.emulator.store import parse_time


class QueryError(ValueError):
    """The query cannot be tokenized, parsed, or names an unsupported term."""


@dataclass(frozen=True)
class Token:
    kind: str  # "string", "word", "number", "op", "(", ")", "end"
    text: str
    pos: int


_OPERATORS = ("!=", "<=", ">=", "=", "<", ">")


def tokenize(text: str) -> list[Token]:
    """Split a query into tokens; strings are unescaped."""
    tokens: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
        elif ch in "(){}":
            tokens.append(Token(ch, ch, i))
            i += 1
        elif ch in "'\"":
            value, i = _read_string(text, i)
            tokens.append(Token("string", value, i))
        elif any(text.startswith(op, i) for op in _OPERATORS):
            op = next(op for op in _OPERATORS if text.startswith(op, i))
            tokens.append(Token("op", op, i))
            i += len(op)
        elif ch.isalnum() or ch in "_.-":
            start = i
            while i < n and (text[i].isalnum() or text[i] in "_.-"):
                i += 1
            word = text[start:i]
            kind = "number" if _is_number(word) else "word"
            tokens.append(Token(kind, word, start))
        else:
            raise QueryError(f"unexpected character {ch!r} at {i}")
    tokens.append(Token("end", "", n))
    return tokens


def _is_number(word: str) -> bool:
    try:
        float(word)
    except ValueError:
        return False
    return True


def _read_string(text: str, start: int) -> tuple[str, int]:
    quote = text[start]
    out: list[str] = []
    i = start + 1
    while i < len(text):
        ch = text[i]
        if ch == "\\":
            if i + 1 >= len(text):
                raise QueryError("dangling backslash")
            out.append(text[i + 1])
            i += 2
        elif ch == quote:
            return "".join(out), i + 1
        else:
            out.append(ch)
            i += 1
    raise QueryError(f"unterminated string starting at {start}")


# ----- AST --------------------------------------------------------------------------------------


class Node:
    """A parsed query node; ``evaluate`` takes the facts of one file."""

    def evaluate(self, facts: Mapping[str, Any]) -> bool:  # pragma: no cover - abstract
        raise NotImplementedError


@dataclass(frozen=True)
class And(Node):
    parts: tuple[Node, ...]

    def evaluate(self, facts: Mapping[str, Any]) -> bool:
        return all(part.evaluate(facts) for part in self.parts)


@dataclass(frozen=True)
class Or(Node):
    parts: tuple[Node, ...]
    # 'A' in parents or 'B' in parents or ...: one set test per field for all its memberships (a sync's
    # listing names dozens of folders in one query), then the other parts one by one.
    _members: tuple[tuple[str, frozenset[str]], ...] = field(init=False, repr=False, compare=False)
    _others: tuple[Node, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        members: dict[str, set[str]] = {}
        for part in self.parts:
            if isinstance(part, Membership):
                members.setdefault(part.field, set()).add(part.value)
        grouped = tuple((name, frozenset(values)) for name, values in members.items())
        object.__setattr__(self, "_members", grouped)
        object.__setattr__(self, "_others", tuple(p for p in self.parts if not isinstance(p, Membership)))

    def evaluate(self, facts: Mapping[str, Any]) -> bool:
        for name, values in self._members:
            if not values.isdisjoint(facts.get(name, ())):
                return True
        return any(part.evaluate(facts) for part in self._others)


@dataclass(frozen=True)
class Not(Node):
    part: Node

    def evaluate(self, facts: Mapping[str, Any]) -> bool:
        return not self.part.evaluate(facts)


@dataclass(frozen=True)
class Membership(Node):
    """``'value' in field`` for collection fields (parents, owners, writers, readers)."""

    value: str
    field: str

    def evaluate(self, facts: Mapping[str, Any]) -> bool:
        return self.value in facts.get(self.field, ())


@dataclass(frozen=True)
class Has(Node):
    """``properties has { key='k' and value='v' }`` (and appProperties)."""

    field: str
    key: str
    value: str

    def evaluate(self, facts: Mapping[str, Any]) -> bool:
        props = facts.get(self.field) or {}
        return props.get(self.key) == self.value


@dataclass(frozen=True)
class Comparison(Node):
    field: str
    op: str
    value: Any

    def evaluate(self, facts: Mapping[str, Any]) -> bool:
        actual = facts.get(self.field)
        if self.op == "contains":
            return _contains(self.field, actual, self.value)
        if actual is None:
            return self.op == "!="
        return _COMPARE[self.op](actual, self.value)


_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "=": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}


def word_prefix_match(text: str, prefix: str) -> bool:
    """Case-insensitive: does ``prefix`` start the text or any word in it?"""
    hay, needle = text.casefold(), prefix.casefold()
    if not needle:
        return True
    starts = [0] + [i for i in range(1, len(hay)) if hay[i].isalnum() and not hay[i - 1].isalnum()]
    return any(hay.startswith(needle, i) for i in starts)


def words(text: str) -> list[str]:
    """The case-folded alphanumeric words of a text."""
    return re.findall(r"\w+", text.casefold())


def _contains(field: str, actual: Any, value: str) -> bool:
    if actual is None:
        return False
    if field == "name":
        parts = value.split()
        if len(parts) <= 1:
            return word_prefix_match(str(actual), value)
        return all(word_prefix_match(str(actual), part) for part in parts)
    if field == "fullText":
        have = words(str(actual))
        if len(value) > 1 and value.startswith('"') and value.endswith('"'):
            phrase = words(value[1:-1])
            return any(have[i : i + len(phrase)] == phrase for i in range(len(have) - len(phrase) + 1))
        wanted = words(value)
        present = set(have)
        return bool(wanted) and all(word in present for word in wanted)
    return value.casefold() in str(actual).casefold()


# ----- field table --------------------------------------------------------------------------------

_STRING_FIELDS = {
    "name": {"=", "!=", "contains"},
    "mimeType": {"=", "!=", "contains"},
    "shortcutDetails.targetId": {"=", "!="},
    "visibility": {"=", "!="},
}
_TEXT_FIELDS = {"fullText": {"contains"}, "description": {"=", "!=", "contains"}}
_TIME_FIELDS = {"modifiedTime", "createdTime", "viewedByMeTime", "sharedWithMeTime"}
_BOOL_FIELDS = {"trashed", "starred", "sharedWithMe", "hidden"}
_PROPERTY_FIELDS = {"properties", "appProperties"}
_COLLECTION_FIELDS = {"parents", "owners", "writers", "readers"}


def _make_comparison(field: str, op: str, token: Token) -> Node:
    if field in _STRING_FIELDS or field in _TEXT_FIELDS:
        allowed = _STRING_FIELDS.get(field) or _TEXT_FIELDS[field]
        if op not in allowed or token.kind != "string":
            raise QueryError(f"operator {op} or value not valid for {field}")
        return Comparison(field, op, token.text)
    if field in _TIME_FIELDS:
        if op == "contains" or token.kind != "string":
            raise QueryError(f"{field} needs a comparison with a quoted RFC 3339 time")
        try:
            moment: datetime = parse_time(token.text)
        except ValueError as exc:
            raise QueryError(f"bad time {token.text!r}") from exc
        return Comparison(field, op, moment)
    if field in _BOOL_FIELDS:
        if op not in {"=", "!="} or token.kind != "word" or token.text.lower() not in {"true", "false"}:
            raise QueryError(f"{field} takes = or != with true or false")
        return Comparison(field, op, token.text.lower() == "true")
    raise QueryError(f"unsupported query term {field!r}")


# ----- parser -------------------------------------------------------------------------------------


class _Parser:
    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.pos = 0

    def peek(self) -> Token:
        return self.tokens[self.pos]

    def take(self) -> Token:
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def keyword(self, word: str) -> bool:
        token = self.peek()
        if token.kind == "word" and token.text.lower() == word:
            self.pos += 1
            return True
        return False

    def parse(self) -> Node:
        node = self.or_expr()
        if self.peek().kind != "end":
            raise QueryError(f"unexpected {self.peek().text!r} at {self.peek().pos}")
        return node

    def or_expr(self) -> Node:
        parts = [self.and_expr()]
        while self.keyword("or"):
            parts.append(self.and_expr())
        return parts[0] if len(parts) == 1 else Or(tuple(parts))

    def and_expr(self) -> Node:
        parts = [self.unary()]
        while self.keyword("and"):
            parts.append(self.unary())
        return parts[0] if len(parts) == 1 else And(tuple(parts))

    def unary(self) -> Node:
        if self.keyword("not"):
            return Not(self.unary())
        if self.peek().kind == "(":
            self.take()
            node = self.or_expr()
            if self.take().kind != ")":
                raise QueryError("missing )")
            return node
        return self.term()

    def term(self) -> Node:
        first = self.take()
        if first.kind == "string":
            if not self.keyword("in"):
                raise QueryError(f"expected 'in' after {first.text!r}")
            field = self.take()
            if field.kind != "word" or field.text not in _COLLECTION_FIELDS:
                raise QueryError(f"'in' needs one of {sorted(_COLLECTION_FIELDS)}")
            return Membership(first.text, field.text)
        if first.kind != "word":
            raise QueryError(f"expected a query term at {first.pos}")
        following = self.peek()
        ends_term = following.kind in {"end", ")"} or (
            following.kind == "word" and following.text.lower() in {"and", "or"}
        )
        if first.text in _BOOL_FIELDS and ends_term:
            return Comparison(first.text, "=", True)  # a bare boolean term, e.g. ``sharedWithMe``
        if first.text in _PROPERTY_FIELDS:
            return self.has(first.text)
        op_token = self.take()
        if op_token.kind == "op":
            op = op_token.text
        elif op_token.kind == "word" and op_token.text.lower() == "contains":
            op = "contains"
        else:
            raise QueryError(f"expected an operator after {first.text!r}")
        value = self.take()
        if value.kind not in {"string", "word", "number"}:
            raise QueryError(f"expected a value after {op}")
        return _make_comparison(first.text, op, value)

    def has(self, field: str) -> Node:
        if not self.keyword("has") or self.take().kind != "{":
            raise QueryError(f"{field} takes has {{ key='...' and value='...' }}")
        pair: dict[str, str] = {}
        for index, name in enumerate(("key", "value")):
            if index and not self.keyword("and"):
                raise QueryError("expected 'and' between key and value")
            if not self.keyword(name) or self.take().text != "=":
                raise QueryError(f"expected {name} = '...'")
            token = self.take()
            if token.kind != "string":
                raise QueryError(f"the {name} must be a quoted string")
            pair[name] = token.text
        if self.take().kind != "}":
            raise QueryError("missing }")
        return Has(field, pair["key"], pair["value"])


def parse_query(text: str) -> Node:
    """Parse a ``q`` string into an evaluable tree; raises QueryError when Drive would answer 400."""
    tokens = tokenize(text)
    if tokens[0].kind == "end":
        return And(())
    return _Parser(tokens).parse()


def parent_id_list(node: Node) -> list[str]:
    """Every id named in ``'ID' in parents``, in the order the query names them, without repeats."""
    found: list[str] = []

    def walk(current: Node) -> None:
        if isinstance(current, Membership) and current.field == "parents" and current.value not in found:
            found.append(current.value)
        elif isinstance(current, And | Or):
            for part in current.parts:
                walk(part)
        elif isinstance(current, Not):
            walk(current.part)

    walk(node)
    return found


def required_parents(node: Node) -> set[str] | None:
    """Ids one of which every match must have among its parents (``'ID' in parents`` that must hold), or
    None when the query does not say: a listing then need not look at any other file."""
    if isinstance(node, Membership):
        return {node.value} if node.field == "parents" else None
    if isinstance(node, And):
        found = [ids for ids in map(required_parents, node.parts) if ids is not None]
        return min(found, key=len) if found else None
    if isinstance(node, Or):
        each = [required_parents(part) for part in node.parts]
        if not each or any(ids is None for ids in each):
            return None
        return set().union(*(ids for ids in each if ids is not None))
    return None  # Not, comparisons, full text: any file may match


def parent_ids(node: Node) -> set[str]:
    """Every id named in ``'ID' in parents`` anywhere in the tree."""
    if isinstance(node, Membership):
        return {node.value} if node.field == "parents" else set()
    if isinstance(node, And | Or):
        return set().union(*(parent_ids(part) for part in node.parts)) if node.parts else set()
    if isinstance(node, Not):
        return parent_ids(node.part)
    return set()
