"""Fixtures of the report tests: the countries report (saved once) and a tiny report saved per test."""

from __future__ import annotations

from pathlib import Path

import pytest

from gdrivestats.report import Report, build_report
from tests.report.support import tiny, workbook


@pytest.fixture
def report() -> Report:
    return build_report(workbook(), top=3)


@pytest.fixture
def saved(tmp_path: Path) -> Path:
    """A small report saved in this test's folder (one chart: quick), for tests that change or replace it."""
    return build_report(tiny(), top=3).save(tmp_path / "out")


@pytest.fixture(scope="package")
def saved_once(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One saved report (with chart files) shared by the tests that only read it."""
    return build_report(workbook(), top=3).save(tmp_path_factory.mktemp("once") / "out", charts=True)
