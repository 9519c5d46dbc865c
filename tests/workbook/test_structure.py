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
    assert sheet.levels == {"Type": ["Income group", "Region", "Country"],
                            "ITL level": ["ITL level 1", "ITL level 2", "ITL level 3"]}[name]  # fmt: skip
    assert sheet.level == {"Type": "Country", "ITL level": "ITL level 3"}[name]  # as the file names them
    assert f"3 levels, as the column '{name}' names them: {' > '.join(sheet.levels)}" in sheet.notes
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


def test_leaves_ranked_at_the_level_of_their_kind(tmp_path: Path) -> None:
    rows = [
        ["Occupation", "Employed"],
        ["Management", 60],  # a major group with two minor groups
        ["Executives", 25],
        ["Chief executives", 15],
        ["Legislators", 10],
        ["Other managers", 35],
        ["Sales managers", 20],
        ["Office managers", 15],
        ["Service", 40],  # a major group whose occupations sit right under it
        ["Cooks", 22],
        ["Guards", 18],
    ]
    path = write_indented_xlsx(tmp_path / "i.xlsx", rows, [0, 0, 1, 2, 2, 1, 2, 2, 0, 1, 1])
    sheet = load_workbook(path).sheets[0]
    assert sheet.data["Occupation"].tolist() == ["Chief executives", "Legislators", "Sales managers",
                                                 "Office managers", "Cooks", "Guards"]  # fmt: skip
    assert sheet.level == "level 3" and set(sheet.data["level"]) == {3}
    assert sheet.data["Employed"].sum() == 100
    minor = sheet.level_rows.loc[sheet.level_rows["level"] == 2, "Occupation"].tolist()
    assert minor == ["Executives", "Other managers"]  # the groups only: Cooks is an occupation
    assert sheet.data.set_index("Occupation").loc["Cooks", "parent"] == "Service"


def test_a_family_that_mixes_groups_and_leaves_keeps_its_level(tmp_path: Path) -> None:
    rows = [["Item", "Value"], ["Primary", 30], ["Agriculture", 20], ["Crops", 12], ["Livestock", 8],
            ["Mining", 10], ["Secondary", 25], ["Manufacturing", 15], ["Construction", 10]]  # fmt: skip
    path = write_indented_xlsx(tmp_path / "i.xlsx", rows, [0, 0, 1, 2, 2, 1, 0, 1, 1])
    sheet = load_workbook(path).sheets[0]
    assert sheet.data["Item"].tolist() == ["Agriculture", "Mining", "Manufacturing", "Construction"]
    assert sheet.level == "level 2"


def test_a_column_that_sums_its_neighbours_is_an_aggregate_column(tmp_path: Path) -> None:
    rows = [["Year", "England", "Wales", "Scotland", "Northern Ireland", "UK", "Exports"],
            [2019, 900, 700, 4200, 20, 5820, 33], [2020, 1100, 740, 4690, 30, 6560, 41],
            [2021, 1050, 690, 4200, 28, 5968, 12], [2022, 1010, 640, 4040, 34, 5725, 90]]  # fmt: skip
    sheet = one_sheet(tmp_path, rows)  # 2022: 5724 + 1 within rounding
    assert sheet.aggregate_columns == {"UK": ["England", "Wales", "Scotland", "Northern Ireland"]}
    assert sheet.roles["UK"] == Role.NUMERIC  # still a measure of each year, never added to its parts
    first = [["Age", "Total", "Male", "Female"], ["0-4", 100, 51, 49], ["5-9", 90, 46, 44],
             ["10-14", 85, 43, 42], ["15-19", 80, 41, 40]]  # fmt: skip  # the total before its parts
    assert one_sheet(tmp_path, first).aggregate_columns == {"Total": ["Male", "Female"]}
    flat = one_sheet(
        tmp_path, [["Shop", "A", "B", "C", "D"], *([f"s{i}", i, 2 * i + 1, 3 * i, i + 7] for i in range(8))]
    )
    assert flat.aggregate_columns == {}


def test_one_rule_for_measures_that_do_not_add_up() -> None:
    from gdrivestats.analysis import is_intensive
    from gdrivestats.workbook.levels import not_additive

    names = ["Women %", "Growth rate", "Price index 2015=100", "Per capita GSDP", "Mean age", "HDI", "Share",
             "Employed", "Population 2020", "Area (sq. km)", "Exports", "Total", "Net migration",
             "Electricity generation (GWh)", "Administration costs", "Cooperation projects", "Shareholders",
             "Registrations"]  # fmt: skip
    assert [is_intensive(n) for n in names] == [not_additive(n) for n in names] == [True] * 7 + [False] * 11


def test_several_subjects_in_one_long_table_are_separate_tables(tmp_path: Path) -> None:
    lines = ["Subject Code\tCountry\tSubject Descriptor\tUnits\t2019\t2020\t2021"]
    for code, name, unit, base in (
        ("GDP", "Gross domestic product", "Billions", 1000),
        ("INF", "Inflation", "Percent", 2),
    ):
        for i, country in enumerate(("Kenya", "Peru", "Chad", "Fiji")):
            lines.append(f"{code}\t{country}\t{name}\t{unit}\t{base * (i + 1)}\t{base * (i + 2)}\tn/a")
    lines += ["OIL\tWorld\tOil price\tUS$\t60\t41\t70", "GOLD\tWorld\tGold price\tUS$\t1390\t1770\t1800"]
    path = tmp_path / "long.tsv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    book = load_workbook(path)
    assert [s.name for s in book.sheets] == ["long (GDP)", "long (INF)", "long (series)"]
    gdp, inflation, series = book.sheets
    assert gdp.title == "Gross domestic product" and gdp.unit == "Billions"
    assert gdp.data["2019"].sum() == 10000 and inflation.data["2019"].sum() == 20  # never 10020
    assert series.data["Subject Descriptor"].tolist() == ["Oil price", "Gold price"]
    assert series.set_aside.empty  # 'World' on every row says where, not which row is a total


def test_a_subject_written_once_over_its_block_still_splits_the_table(tmp_path: Path) -> None:
    lines = ["Subject Code\tCountry\tSubject Descriptor\tUnits\t2019\t2020"]
    for code, name, unit, base in (("GDP", "Gross domestic product", "Billions", 1000),
                                   ("POP", "Population", "Millions", 3)):  # fmt: skip
        for i, country in enumerate(("Kenya", "Peru", "Chad")):
            first = i == 0  # code, descriptor and unit on the first row of the block only
            cells = [code, country, name, unit] if first else ["", country, "", ""]
            lines.append("\t".join([*cells, str(base * (i + 1)), str(base * (i + 2))]))
    path = tmp_path / "blocks.tsv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    gdp, population = load_workbook(path).sheets
    assert (gdp.name, gdp.unit, population.name, population.unit) == ("blocks (GDP)", "Billions",
                                                                      "blocks (POP)", "Millions")  # fmt: skip
    assert gdp.data["2019"].sum() == 6000 and population.data["2019"].sum() == 18  # never 6018


WB_COUNTRIES = [("Kenya", "KEN", "Sub-Saharan Africa", "Lower middle income", 53.0),
                ("Peru", "PER", "Latin America & Caribbean", "Upper middle income", 33.0),
                ("Chad", "TCD", "Sub-Saharan Africa", "Low income", 17.0),
                ("Fiji", "FJI", "East Asia & Pacific", "Upper middle income", 0.9),
                ("Oman", "OMN", "Middle East & North Africa", "High income", 4.6),
                ("Nepal", "NPL", "South Asia", "Lower middle income", 30.0),
                ("Chile", "CHL", "Latin America & Caribbean", "High income", 19.5),
                ("Ghana", "GHA", "Sub-Saharan Africa", "Lower middle income", 33.5),
                ("Laos", "LAO", "East Asia & Pacific", "Lower middle income", 7.5),
                ("Malta", "MLT", "Europe & Central Asia", "High income", 0.5)]  # fmt: skip
WB_AGGREGATES = [("World", "WLD", 7900.0), ("Heavily indebted poor countries (HIPC)", "HPC", 850.0),
                 ("IDA total", "IDA", 1800.0),
                 ("Fragile and conflict affected situations", "FCS", 950.0)]  # fmt: skip


def test_a_metadata_sheet_of_regions_tells_aggregates_from_countries(tmp_path: Path) -> None:
    data = [
        ["Data Source", "World Development Indicators"],
        [],
        ["Country Name", "Country Code", "2021", "2022"],
    ]
    for name, code, *_, value in WB_COUNTRIES:
        data.append([name, code, value, value * 1.02])
    for name, code, value in WB_AGGREGATES:
        data.append([name, code, value, value * 1.01])
    meta = [["Country Code", "Region", "IncomeGroup", "SpecialNotes", "TableName"]]
    meta += [[code, region, income, None, name] for name, code, region, income, _ in WB_COUNTRIES]
    meta += [[code, None, None, "An aggregate", name] for name, code, _ in WB_AGGREGATES]
    path = write_xlsx(tmp_path / "wb.xlsx", {"Data": data, "Metadata - Countries": meta})
    sheet = load_workbook(path).sheets[0]
    assert sorted(sheet.data["Country Code"]) == sorted(c for _, c, *_ in WB_COUNTRIES)
    assert set(sheet.set_aside["Country Name"]) == {n for n, _, _ in WB_AGGREGATES}
    assert "aggregate (the sheet 'Metadata - Countries' gives it no region)" in sheet.set_aside_reasons
    by_code = sheet.data.set_index("Country Code")
    assert (
        by_code.loc["KEN", "Region"] == "Sub-Saharan Africa"
        and by_code.loc["OMN", "Income group"] == "High income"
    )
    assert sheet.roles["Region"] == Role.CATEGORY
    note = next(n for n in sheet.notes if n.startswith("The sheet 'Metadata - Countries' gives each country"))
    assert note.endswith("4 aggregates set aside ('World', 'Heavily indebted poor countries (HIPC)', "
                         "'IDA total', 'Fragile and conflict affected situations'); ranked 10 countries; "
                         "added Region and Income group")  # fmt: skip
    assert not any("ranked 11 countries" in n for n in sheet.notes)  # the count by name is not told twice


def test_a_code_that_ends_every_label_is_a_column_to_group_by(tmp_path: Path) -> None:
    towns = [(f"Town {i} ({state})", 100 + i) for i, state in enumerate(["RO", "AC", "AM", "RO"] * 4)]
    sheet = one_sheet(tmp_path, [["Município", "Population"], *towns])
    assert sheet.data["State"].tolist() == ["RO", "AC", "AM", "RO"] * 4
    assert sheet.data["Município"].iloc[0] == "Town 0 (RO)"  # the label stays whole
    assert sheet.data.groupby("State")["Population"].sum().to_dict() == {"AC": 428, "AM": 432, "RO": 860}
    plain = one_sheet(tmp_path, [["Store", "Sales"], *([f"Shop {i} (new)", i] for i in range(12))])
    assert "State" not in plain.data.columns and list(plain.data.columns) == ["Store", "Sales"]


def test_world_bank_series_in_one_sheet_are_separate_tables(tmp_path: Path) -> None:
    rows = [["Series Name", "Series Code", "Country Name", "Country Code", "2021 [YR2021]", "2022 [YR2022]"]]
    for series, code, scale in (
        ("Population, total", "SP.POP.TOTL", 1e6),
        ("GDP growth (annual %)", "NY.GDP.MKTP.KD.ZG", 1),
    ):
        rows += [
            [series, code, name, iso, value * scale, value * scale * 1.01]
            for name, iso, *_, value in WB_COUNTRIES
        ]
    sheet_names = [s.name for s in load_workbook(write_xlsx(tmp_path / "wdi.xlsx", {"Data": rows})).sheets]
    assert sheet_names == ["Data (SP.POP.TOTL)", "Data (NY.GDP.MKTP.KD.ZG)"]
