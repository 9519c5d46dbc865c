"""Partial responses: parse the ``fields`` selector, check it against the discovery schemas, apply it.

Grammar::

    fields    := selection ("," selection)*
    selection := path ["(" fields ")"]
    path      := NAME ("/" NAME)*          a/b is shorthand for a(b)
    NAME      := identifier | "*"
"""

from __future__ import annotations

from typing import Any

# A selection tree: field name -> sub-selection, or None for the whole value.
Selection = dict[str, "Selection | None"]


class FieldsError(ValueError):
    """The selector is malformed or names a field the resource does not have."""


def parse_fields(text: str) -> Selection:
    """Parse a ``fields`` value into a selection tree."""
    parser = _FieldsParser(text)
    tree = parser.selections()
    if parser.pos != len(parser.text):
        raise FieldsError(f"Invalid field selection {text}")
    return tree


class _FieldsParser:
    def __init__(self, text: str) -> None:
        self.text = text.replace(" ", "")
        self.pos = 0

    def name(self) -> str:
        start = self.pos
        if self.pos < len(self.text) and self.text[self.pos] == "*":
            self.pos += 1
            return "*"
        while self.pos < len(self.text) and (self.text[self.pos].isalnum() or self.text[self.pos] in "_$."):
            self.pos += 1
        if start == self.pos:
            raise FieldsError(f"Invalid field selection {self.text}")
        return self.text[start : self.pos]

    def selections(self) -> Selection:
        tree: Selection = {}
        while True:
            path = [self.name()]
            while self.pos < len(self.text) and self.text[self.pos] == "/":
                self.pos += 1
                path.append(self.name())
            sub: Selection | None = None
            if self.pos < len(self.text) and self.text[self.pos] == "(":
                self.pos += 1
                sub = self.selections()
                if self.pos >= len(self.text) or self.text[self.pos] != ")":
                    raise FieldsError(f"Invalid field selection {self.text}")
                self.pos += 1
            _merge(tree, path, sub)
            if self.pos < len(self.text) and self.text[self.pos] == ",":
                self.pos += 1
                continue
            return tree


def _merge(tree: Selection, path: list[str], sub: Selection | None) -> None:
    head, rest = path[0], path[1:]
    if rest:
        child = tree.get(head, {})
        if head in tree and child is None:
            return
        child = child or {}
        _merge(child, rest, sub)
        tree[head] = child
        return
    if head in tree and tree[head] is not None and sub is not None:
        existing = tree[head]
        assert existing is not None
        for key, value in sub.items():
            existing[key] = value
    else:
        tree[head] = None if sub is None or (head in tree and tree[head] is None) else sub


def check_fields(tree: Selection, schemas: dict[str, Any], schema_name: str) -> None:
    """Raise FieldsError for names the schema does not define (as Drive does)."""
    _check(tree, schemas, schemas[schema_name], schema_name)


def _resolve(schema: dict[str, Any], schemas: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = schemas[schema["$ref"]]
    if schema.get("type") == "array" and "items" in schema:
        return _resolve(schema["items"], schemas)
    return schema


def _check(tree: Selection, schemas: dict[str, Any], schema: dict[str, Any], where: str) -> None:
    schema = _resolve(schema, schemas)
    props = schema.get("properties")
    if props is None:
        return  # a map (additionalProperties) or a scalar: anything below is accepted
    for name, sub in tree.items():
        if name == "*":
            continue
        if name not in props:
            raise FieldsError(f"Invalid field selection {name}")
        if sub is not None:
            _check(sub, schemas, props[name], f"{where}.{name}")


def apply_fields(value: Any, tree: Selection | None) -> Any:
    """Keep only the selected parts of a JSON value."""
    if tree is None:
        return value
    if isinstance(value, list):
        return [apply_fields(item, tree) for item in value]
    if not isinstance(value, dict):
        return value
    if "*" in tree and tree["*"] is None:
        result = dict(value)
        for name, sub in tree.items():
            if name != "*" and name in value:
                result[name] = apply_fields(value[name], sub)
        return result
    result = {}
    for name, sub in tree.items():
        if name == "*":
            for key, item in value.items():
                result.setdefault(key, apply_fields(item, sub))
        elif name in value:
            result[name] = apply_fields(value[name], sub)
    return result
