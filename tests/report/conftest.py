"""Fixtures of the report tests: a report of the countries workbook, saved once or per test."""

from __future__ import annotations

from pathlib import Path

import pytest

from gdrivestats.report import Report, build_report
from tests.report.support import workbook


@pytest.fixture
def report() -> Report:
    return build_report(workbook(), top=3)


@pytest.fixture
def saved(report: Report, tmp_path: Path) -> Path:
    return report.save(tmp_path / "out")


@pytest.fixture(scope="package")
def saved_once(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One saved report (with chart files) shared by the tests that only read it."""
    return build_report(workbook(), top=3).save(tmp_path_factory.mktemp("once") / "out", charts=True)
