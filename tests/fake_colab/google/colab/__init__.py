"""A fake ``google.colab`` for tests: put ``tests/fake_colab`` on sys.path.

There is no ``google/__init__.py`` on purpose: ``google`` is a namespace package (google-auth and
googleapiclient live in it), so this ``google/colab`` folder merges into it instead of hiding it.
``drive`` and ``auth`` record their calls in ``CALLS``.
"""

from __future__ import annotations

from typing import Any

CALLS: list[tuple[str, dict[str, Any]]] = []
"""Every call made to the fake, in order: (function name, keyword arguments)."""
