"""Request checks against the bundled Drive v3 discovery document: parameter names, types, enums, ranges."""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from typing import Any

from googleapiclient.discovery_cache import get_static_doc

from gdrivestats.emulator.store import DriveStateError


@functools.cache
def discovery() -> dict[str, Any]:
    """The bundled ``drive.v3.json`` discovery document (parsed once)."""
    text = get_static_doc("drive", "v3")
    if text is None:  # pragma: no cover - the document ships with google-api-python-client
        raise RuntimeError("google-api-python-client has no bundled drive v3 discovery document")
    return json.loads(text)


def method_spec(resource: str, method: str) -> dict[str, Any]:
    return discovery()["resources"][resource]["methods"][method]


def schemas() -> dict[str, Any]:
    return discovery()["schemas"]


def invalid_parameter(name: str, message: str, reason: str = "invalidParameter") -> DriveStateError:
    """Google's 400 for a bad query parameter."""
    return DriveStateError(400, reason, message, location=name, locationType="parameter")


def validate_params(resource: str, method: str, params: Mapping[str, str], upload: bool = False) -> None:
    """Raise a 400 DriveStateError when a parameter is unknown, missing, or out of range."""
    spec = method_spec(resource, method)
    declared: dict[str, Any] = {**discovery()["parameters"], **spec.get("parameters", {})}
    for name, value in params.items():
        info = declared.get(name)
        if info is None or info.get("location") == "path":
            if upload:
                # The upload endpoints ignore parameters they do not know: rclone sends the Drive v2
                # parameter setModifiedDate to /upload/drive/v3 and Google accepts it.
                continue
            raise invalid_parameter(name, f"Unknown parameter: '{name}'", "badRequest")
        _check_value(name, value, info)
    for name, info in declared.items():
        if info.get("required") and info.get("location") == "query" and name not in params:
            raise invalid_parameter(name, f"Required parameter: {name}", "required")


def _check_value(name: str, value: str, info: Mapping[str, Any]) -> None:
    kind = info.get("type")
    if kind == "integer":
        try:
            number = int(value)
        except ValueError:
            raise invalid_parameter(name, f"Invalid value '{value}'. Values must be an integer.") from None
        low, high = info.get("minimum"), info.get("maximum")
        if name == "pageSize":
            high = None  # Drive coerces a pageSize above the maximum to the maximum; the handlers do
        if (low is not None and number < int(low)) or (high is not None and number > int(high)):
            bounds = f"[{low if low is not None else ''}, {high if high is not None else ''}]"
            raise invalid_parameter(
                name, f"Invalid value '{value}'. Values must be within the range: {bounds}"
            )
    elif kind == "boolean" and value.lower() not in {"true", "false"}:
        raise invalid_parameter(name, f"Invalid value '{value}'. Values must be true or false.")
    enum = info.get("enum")
    if enum and value not in enum:
        raise invalid_parameter(name, f"Invalid value '{value}'. Allowed values: [{', '.join(enum)}]")


def flag(params: Mapping[str, str], name: str, default: bool = False) -> bool:
    """A boolean query parameter (already validated)."""
    value = params.get(name)
    return default if value is None else value.lower() == "true"
