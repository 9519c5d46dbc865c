"""Statistics-office layouts on small built workbooks, one rule each: aggregates, levels, notes, sections,
periods, codes, several tables."""

from __future__ import annotations

from pathlib import Path

import pytest

from gdrivestats.workbook import Role, load_workbook
from tests.workbook.support import REGIONS, one_sheet, write_indented_xlsx, write_xlsx

COUNTRIES = [
    ("Kenya", 53.0),
    ("Uganda", 45.0),
    ("Tanzania", 61.0),
    ("Rwanda", 13.0),
    ("Ethiopia", 120.0),
    ("Nigeria", 210.0),
    ("Ghana", 32.0),
    ("Senegal", 17.0),
    ("Mali", 21.0),
    ("Chad", 17.5),
    ("Peru", 33.0),
    ("Chile", 19.0),
]


def test_world_and_regions_are_told_apart_from_countries(tmp_path: Path) -> None:
    rows = [["Country", "Population"], ["World", 8000.0], *COUNTRIES, ["Sub-Saharan Africa", 1100.0],
            ["High income", 1200.0], ["Euro area", 340.0]]  # fmt: skip
    sheet = one_sheet(tmp_path, rows)
    assert sheet.data["Country"].tolist() == [c for c, _ in COUNTRIES]
    assert sheet.data.nlargest(1, "Population")["Country"].tolist() == ["Nigeria"]  # not World
    reasons = dict(zip(sheet.set_aside["Country"], sheet.set_aside_reasons, strict=True))
    assert reasons["Euro area"] == "aggregate of countries (a country group by its name)"
    assert set(reasons) == {"World", "Sub-Saharan Africa", "High income", "Euro area"}
    assert any(n.endswith("ranked 12 countries") for n in sheet.notes)


def test_levels_found_by_sums_and_ranked_one_at_a_time(tmp_path: Path) -> None:
    sheet = one_sheet(tmp_path, REGIONS)
    assert sheet.levels == ["level 1", "level 2", "level 3"]
    assert sheet.level == "level 3"  # the finest complete level: every branch reaches it
    assert sheet.data["Area"].tolist() == ["Alpha 1", "Alpha 2", "Alpha 3", "Beta 1", "Beta 2", "Gamma 1",
                                           "Gamma 2", "Delta 1", "Delta 2"]  # fmt: skip
    assert sheet.data["2020"].sum() == 105  # North + South, counted once
    assert sheet.data.set_index("Area").loc["Beta 2", "parent"] == "Beta"
    assert sheet.roles["parent"] == Role.CATEGORY and sheet.roles["level"] == Role.ID
    counties = sheet.level_rows.loc[sheet.level_rows["level"] == 2, "Area"].tolist()
    assert counties == ["Alpha", "Beta", "Gamma", "Delta"]
    reasons = dict(zip(sheet.set_aside["Area"], sheet.set_aside_reasons, strict=True))
    assert reasons["North"] == "aggregate: the sum of the 2 rows below it (level 1)"


def test_subtotals_under_their_parts(tmp_path: Path) -> None:
    rows = [["Item", "Value", "Other"], ["Crops", 50, 5], ["Livestock", 30, 3], ["Primary", 80, 8],
            ["Mining", 40, 4], ["Manufacturing", 60, 6], ["Construction", 25, 2], ["Secondary", 125, 12],
            ["Trade", 70, 9], ["Transport", 35, 4], ["Finance", 45, 1], ["Tertiary", 150, 14]]  # fmt: skip
    sheet = one_sheet(tmp_path, rows)
    parts = ["Crops", "Livestock", "Mining", "Manufacturing", "Construction", "Trade", "Transport", "Finance"]
    assert sheet.data["Item"].tolist() == parts
    assert sheet.data["parent"].tolist() == ["Primary"] * 2 + ["Secondary"] * 3 + ["Tertiary"] * 3
    assert sheet.set_aside_reasons == [
        "aggregate: the sum of the 2 rows above it (level 1)",
        "aggregate: the sum of the 3 rows above it (level 1)",
        "aggregate: the sum of the 3 rows above it (level 1)",
    ]


def test_a_few_rows_whose_sums_hold_by_chance_stay_data(tmp_path: Path) -> None:
    rows = [["Team", "Wins", "Losses"], ["Alpha", 1, 2], ["Beta", 2, 3], ["Gamma", 3, 5], ["Delta", 4, 1],
            ["Eps", 7, 6]]  # fmt: skip  # Gamma = Alpha + Beta and Eps = Gamma + Delta, in both columns
    sheet = one_sheet(tmp_path, rows)
    assert sheet.data["Team"].tolist() == ["Alpha", "Beta", "Gamma", "Delta", "Eps"]
    assert sheet.levels == []


def test_names_that_start_like_a_total_word_are_data(tmp_path: Path) -> None:
    names = ["Whole Foods Market", "Toussaint Bakery", "All Saints Cafe", "Ensemble Bistro", "Summerfield",
             "Acme", "Summer Stand", "Overall Outfitters", "Gesamtschule Shop", "Sumo Deli"]  # fmt: skip
    rows = [["Store", "Sales"], *([n, 10 + 7 * i] for i, n in enumerate(names))]
    sheet = one_sheet(tmp_path, rows)
    assert sheet.data["Store"].tolist() == names and sheet.set_aside.empty


def test_a_row_that_happens_to_equal_a_sum_is_not_a_parent(tmp_path: Path) -> None:
    rows = [["District", "Deaths"], ["A", 9], ["B", 7], ["C", 3], ["D", 12], ["E", 4], ["F", 5]]
    sheet = one_sheet(tmp_path, rows)
    assert len(sheet.data) == 6 and sheet.levels == [] and "parent" not in sheet.data.columns


def test_levels_from_the_indent_format(tmp_path: Path) -> None:
    rows = [
        ["Occupation", "Employed", "Women %"],
        ["Management", 30, 40.0],
        ["Chief executives", 10, 30.0],
        ["Managers, other", 20, 45.0],
        ["Service", 25, 60.0],
        ["Cooks", 15, 40.0],
        ["Guards", 9, 20.0],
    ]
    path = write_indented_xlsx(tmp_path / "i.xlsx", rows, [0, 0, 1, 1, 0, 1, 1])  # sums within rounding
    sheet = load_workbook(path).sheets[0]
    assert sheet.data["Occupation"].tolist() == ["Chief executives", "Managers, other", "Cooks", "Guards"]
    assert sheet.data["parent"].tolist() == ["Management", "Management", "Service", "Service"]
    assert any(n.startswith("2 levels found by the indent of the labels") for n in sheet.notes)


def test_note_and_flag_lines_are_set_aside(tmp_path: Path) -> None:
    rows = [
        ["Activity", "Q1", "Q2"],
        ["Farming", 10, 12],
        ["Mining", 5, 6],
        ["* Provisional data", None, None],
        ["Trade", 7, 8],
        ["+ Revised", None, None],
        ["Source: statistics office", None, None],
    ]
    sheet = one_sheet(tmp_path, rows)
    assert sheet.data["Activity"].tolist() == ["Farming", "Mining", "Trade"]
    assert sheet.data["Q1"].sum() == 22
    assert "* Provisional data" in set(sheet.set_aside["Activity"]) | set(sheet.footnotes)


def test_section_headings_become_a_column(tmp_path: Path) -> None:
    rows = [
        ["Activity", "2020", "2021"],
        ["AGRICULTURE", None, None],
        ["Crops", 10, 11],
        ["Livestock", 4, 5],
        ["MINING", None, None],
        ["Oil", 30, 28],
        ["Coal", 2, 1],
    ]
    sheet = one_sheet(tmp_path, rows)
    assert sheet.data["Section"].tolist() == ["AGRICULTURE", "AGRICULTURE", "MINING", "MINING"]
    assert sheet.roles["Section"] == Role.CATEGORY
    assert sheet.set_aside_reasons == ["section heading", "section heading"]


def test_year_headings_over_blocks_are_sections(tmp_path: Path) -> None:
    rows = [
        ["Activity", "Jobs"],
        [2008, None],
        ["Farming", 10],
        ["Trade", 4],
        [2009, None],
        ["Farming", 11],
        ["Trade", 5],
    ]
    sheet = one_sheet(tmp_path, rows)
    assert sheet.data["Section"].tolist() == ["2008", "2008", "2009", "2009"]


def test_mixed_annual_and_quarterly_rows_are_separate_tables(tmp_path: Path) -> None:
    rows = [["Period", "Rate"], *[[str(y), 2.0] for y in (2019, 2020, 2021)],
            *[[f"{y} Q{q}", 1.0] for y in (2019, 2020, 2021) for q in (1, 2, 3, 4)]]  # fmt: skip
    book = load_workbook(write_xlsx(tmp_path / "p.xlsx", {"cpi": rows}))
    assert [(s.name, len(s.data)) for s in book.sheets] == [("cpi (annual)", 3), ("cpi (quarterly)", 12)]
    assert book.sheets[0].data["Rate"].sum() == 6.0  # years never added to their own quarters


@pytest.mark.parametrize(
    ("name", "values"),
    [
        ("S.No.", [1, 2, 3, 4]),
        ("ISO code", [404, 800, 834, 646]),
        ("HDI rank", [1, 2, 2, 4]),
        ("Index", [1, 2, 3, 4]),
    ],
)
def test_code_and_number_columns_are_not_measures(tmp_path: Path, name: str, values: list[int]) -> None:
    rows = [[name, "Country", "Population"]] + [
        [v, c, p]
        for v, c, p in zip(values, ["Kenya", "Uganda", "Tanzania", "Rwanda"], [53, 45, 61, 13], strict=True)
    ]
    sheet = one_sheet(tmp_path, rows)
    assert sheet.roles[name] == Role.ID
    assert sheet.columns_with(Role.NUMERIC) == ["Population"]
    assert sheet.label_column == "Country"


def test_stacked_tables_are_split(tmp_path: Path) -> None:
    rows = [
        ["Current prices"],
        ["Activity", "Q1", "Q2"],
        ["Farming", 10, 12],
        ["Mining", 5, 6],
        [None],
        ["Constant prices"],
        ["Activity", "Q1", "Q2"],
        ["Farming", 8, 9],
        ["Mining", 4, 4],
    ]
    book = load_workbook(write_xlsx(tmp_path / "s.xlsx", {"GDP": rows}))
    assert [s.name for s in book.sheets] == ["GDP", "GDP (2)"]
    assert [s.title for s in book.sheets] == ["Current prices", "Constant prices"]
    assert book.sheets[1].data["Q1"].tolist() == [8, 4]
    assert "Table 2 of 2 on sheet 'GDP' (rows 6 to 9)" in book.sheets[1].notes


def test_total_in_another_language(tmp_path: Path) -> None:
    rows = [["Дейност", "Брой"], ["Общо", 100], ["Селско стопанство", 10], ["Търговия", 40],
            ["Строителство", 20], ["Транспорт", 25]]  # fmt: skip
    sheet = one_sheet(tmp_path, rows)
    assert "Общо" not in set(sheet.data["Дейност"])
    assert sheet.data["Брой"].sum() == 95


def test_flag_columns_beside_values_are_not_categories(tmp_path: Path) -> None:
    rows = [["Country", "2020", None, "2021", None]] + [
        [c, p, "b" if i % 2 else None, p + 1, "u" if i % 3 == 0 else None]
        for i, (c, p) in enumerate(COUNTRIES)
    ]
    sheet = one_sheet(tmp_path, rows)
    assert sheet.roles["2020 flag"] == Role.TEXT and sheet.roles["2021 flag"] == Role.TEXT
    assert "Column C" not in sheet.data.columns
    assert sheet.columns_with(Role.NUMERIC) == ["2020", "2021"]


def test_metadata_lines_above_the_data(tmp_path: Path) -> None:
    path = tmp_path / "series.csv"
    quarters = [f"{y} Q{q}" for y in (2020, 2021, 2022) for q in (1, 2, 3, 4)]
    lines = "".join(f'"{p}","{i % 7 / 2}"\n' for i, p in enumerate(quarters))
    path.write_text('"Title","CPI rate"\n"CDID","L55O"\n"Unit","%"\n"Release date","16-01-2024"\n' + lines)
    sheet = load_workbook(path).sheets[0]
    assert sheet.data["Title"].tolist() == quarters
    assert sheet.unit == "%"
    assert sheet.set_aside_reasons == ["metadata line"] * 3


def test_flat_table_gains_nothing(tmp_path: Path) -> None:
    rows = [["Country", "Population", "Area"], *[[c, p, p * 3 + 1] for c, p in COUNTRIES]]
    sheet = one_sheet(tmp_path, rows)
    assert list(sheet.data.columns) == ["Country", "Population", "Area"]
    assert sheet.levels == [] and sheet.set_aside.empty and sheet.set_aside_reasons == []


def test_a_layout_that_cannot_be_structured_is_read_flat(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import gdrivestats.workbook.sheet as sheet_module

    def broken(*args: object, **kwargs: object) -> None:
        raise IndexError("boom")

    monkeypatch.setattr(sheet_module, "apply_outline", broken)
    sheet = one_sheet(tmp_path, REGIONS)
    assert len(sheet.data) == len(REGIONS) - 1  # every row kept, as a flat table
    assert "The layout of this sheet could not be read (IndexError); analysed as a flat table" in sheet.notes


def test_marks_glued_to_labels_are_stripped_and_logged(tmp_path: Path) -> None:
    rows = [["Item", "Value"], ["Crops*", 5], ["Storage [note 3]", 7], ["Fishing", 2], ["Mining", 4]]
    sheet = one_sheet(tmp_path, rows)
    assert sheet.data["Item"].tolist() == ["Crops", "Storage", "Fishing", "Mining"]
    assert "Removed footnote marks from 2 labels (kept here): 'Crops*', 'Storage [note 3]'" in sheet.notes


def test_unit_line_under_the_header_and_numbered_footnotes(tmp_path: Path) -> None:
    path = tmp_path / "cpi.csv"
    path.write_text('"Index, monthly 1"\n\n"Products 2","Jan 2020","Feb 2020"\n,"2002=100",\n'
                    '"Food 3","131.6","132.9"\n"Shelter","127.8","127.9"\n"Energy 4","152.8","160.1"\n'
                    '"Clothing","87.9","91.4"\n\n"Footnotes:"\n1,"Not a cost-of-living index."\n'
                    '2,"Products are grouped."\n3,"Food includes beverages."\n'
                    '4,"The special aggregate energy includes gasoline."\n')  # fmt: skip
    sheet = load_workbook(path).sheets[0]
    assert sheet.unit == "2002=100"
    assert sheet.label_column == "Products" and sheet.title == "Index, monthly"
    assert sheet.data["Products"].tolist() == ["Food", "Shelter", "Clothing"]
    assert sheet.set_aside_reasons == ["aggregate (footnote 4 says so)"]
    assert sheet.footnotes[-1] == "4 The special aggregate energy includes gasoline."


def test_series_metadata_under_the_header(tmp_path: Path) -> None:
    import datetime as dt

    dates = [dt.datetime(2020, m, 1) for m in (3, 6, 9, 12)]
    series = ["GDP", "Imports", "Exports", "Consumption"]
    rows = [
        [None, *series],
        ["Unit", *["$ Millions"] * 4],
        ["Series Type", *["Original"] * 4],
        ["Collection Month", 3, 3, 3, 3],
        ["Series ID", "A2304312V", "A2304114F", "A2304115J", "A2304081W"],
        *[[d, 100 + i, 30 + i, 40 + i, 60 + i] for i, d in enumerate(dates)],
    ]
    sheet = one_sheet(tmp_path, rows)
    assert len(sheet.data) == 4 and sheet.unit == "$ Millions"
    assert sheet.set_aside_reasons == ["metadata line"] * 4
    assert sheet.data["GDP"].tolist() == [100, 101, 102, 103]


def test_label_column_named_under_a_time_header(tmp_path: Path) -> None:
    rows = [["TIME", "2022", "2023"], ["GEO (Labels)"], *[[c, p, p + 1] for c, p in COUNTRIES]]
    sheet = one_sheet(tmp_path, rows)
    assert sheet.label_column == "GEO (Labels)"
    assert list(sheet.data.columns) == ["GEO (Labels)", "2022", "2023"] and len(sheet.data) == 12


def test_two_lists_side_by_side_are_two_tables(tmp_path: Path) -> None:
    rows = [["Top exporters", None, None, None, "Top importers", None],
            ["Country", "Exports", None, None, "Country", "Imports"],
            ["China", 3500, None, None, "United States", 3200],
            ["Germany", 1700, None, None, "China", 2700],
            ["Japan", 750, None, None, "Germany", 1500]]  # fmt: skip
    book = load_workbook(write_xlsx(tmp_path / "trade.xlsx", {"trade": rows}))
    left, right = book.sheets
    assert (left.name, right.name) == ("trade", "trade (2)")
    assert list(left.data.columns) == ["Country", "Exports"] and list(right.data.columns) == [
        "Country",
        "Imports",
    ]
    assert right.data["Country"].tolist() == ["United States", "China", "Germany"]
    assert right.title == "Top importers"
    assert "Table 2 of 2 side by side on sheet 'trade' (columns 4 to 6)" in right.notes


@pytest.mark.parametrize(
    ("name", "kinds"),
    [("Type", ["Region", "Country", "Income group"]), ("ITL level", [1, 3, 2])],
)
def test_a_type_or_level_column_of_the_file_is_used(tmp_path: Path, name: str, kinds: list[object]) -> None:
    coarse, unit, other = kinds
    rows = [["Name", name, "Population"], ["Africa", coarse, 900.0], *[[c, unit, p] for c, p in COUNTRIES],
            ["High income", other, 1200.0], ["Asia", coarse, 4000.0]]  # fmt: skip
    sheet = one_sheet(tmp_path, rows)
    assert sheet.data["Name"].tolist() == [c for c, _ in COUNTRIES]
    assert sheet.roles[name] == Role.ID
    assert sheet.level == f"{name}: {unit}" and len(sheet.levels) == 3
    assert sheet.set_aside_reasons[0] == f"aggregate ({name} is '{coarse}')"
    assert sheet.data["Population"].sum() == pytest.approx(sum(p for _, p in COUNTRIES))


def test_levels_from_codes_when_nothing_adds_up(tmp_path: Path) -> None:
    path = tmp_path / "growth.csv"
    path.write_text("Code,Activity,Growth %\n1,Agriculture,2.1\n1.1,Crops,3.0\n1.2,Livestock,-0.5\n"
                    "2,Industry,1.4\n2.1,Mining,-2.0\n2.2,Manufacturing,2.6\n2.3,Energy,1.1\n")  # fmt: skip
    sheet = load_workbook(path).sheets[0]
    assert sheet.roles["Code"] == Role.ID
    assert sheet.data["Activity"].tolist() == ["Crops", "Livestock", "Mining", "Manufacturing", "Energy"]
    assert sheet.data["parent"].tolist() == ["Agriculture", "Agriculture", "Industry", "Industry", "Industry"]
    assert any(n.startswith("2 levels found by the codes of the rows") for n in sheet.notes)
