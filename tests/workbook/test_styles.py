"""The indent of row labels read from the xlsx XML: the levels openpyxl reads, on real and written files."""

from __future__ import annotations

import zipfile
from pathlib import Path
from xml.etree import ElementTree

import pytest

from gdrivestats.workbook import styles
from gdrivestats.workbook.flat import sheet_members
from tests.workbook.support import OUTLINE, write_indented_xlsx


def sheets(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as archive:
        return list(sheet_members(archive))


def test_written_indents_read_from_the_xml(tmp_path: Path) -> None:
    rows = [["Area", "2020", "2021"], *OUTLINE]
    indents = [0] + [0 if i % 3 == 0 else 1 + i % 2 for i in range(len(OUTLINE))]
    path = write_indented_xlsx(tmp_path / "t.xlsx", rows, indents)
    names = sheets(path)
    found = styles.read_indents(path, names)
    expected = {r: indent for r, indent in enumerate(indents) if indent}
    assert found == {names[0]: {0: expected}}
    assert found == styles._indents_by_openpyxl(path, names)


@pytest.mark.slow  # every real xlsx read twice, by its XML and by openpyxl
def test_real_workbooks_same_indents_as_openpyxl(shared_data: Path) -> None:
    counted = {}
    for path in sorted(shared_data.glob("*.xlsx")):
        names = sheets(path)
        found = styles._indents_from_xml(path, names)
        assert found == styles._indents_by_openpyxl(path, names), path.name
        counted[path.name] = sum(len(rows) for columns in found.values() for rows in columns.values())
    assert counted["bls_cps_employed_by_occupation.xlsx"] == 589  # BLS's occupations are indented


def test_a_file_the_xml_route_cannot_read_goes_to_openpyxl(tmp_path: Path) -> None:
    rows = [["Area", "2020"], ["North", 1], ["Alpha", 2]]
    good = write_indented_xlsx(tmp_path / "good.xlsx", rows, [0, 0, 2])
    bad = tmp_path / "bad.xlsx"  # a styles part that is not XML: openpyxl gives up too, nothing is lost
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(bad, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            target.writestr(item, b"<styleSheet" if item.filename == "xl/styles.xml" else data)
    with pytest.raises(ElementTree.ParseError):
        styles._indents_from_xml(bad, sheets(bad))
    assert styles.read_indents(bad, sheets(bad)) == styles._indents_by_openpyxl(bad, sheets(bad))
