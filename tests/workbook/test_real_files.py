"""The workbook loader on the real spreadsheets of ../shared/data, read in place; values read by hand."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from gdrivestats.workbook import Role, Sheet, Workbook, load_workbook

COTW = "cotw_quoted_crlf.csv"
KNBS = "knbs_population_projections.xlsx"


@pytest.fixture(scope="module")
def cotw(shared_data: Path) -> Sheet:
    book = load_workbook(str(shared_data / COTW))  # a str path works as well as a Path
    assert book.name == "cotw_quoted_crlf"
    assert len(book.sheets) == 1
    return book.sheets[0]


@pytest.fixture(scope="module")
def knbs(shared_data: Path) -> Workbook:
    return load_workbook(shared_data / KNBS)


def row(sheet: Sheet, label: str, column: str | None = None) -> pd.Series:
    """The one data row whose label column (or ``column``) is ``label``."""
    found = sheet.data.loc[sheet.data[column or sheet.label_column] == label]
    assert len(found) == 1, f"{label!r} found {len(found)} times"
    return found.iloc[0]


# ---------------------------------------------------------------- countries of the world (CSV)


def test_cotw_shape_and_roles(cotw: Sheet) -> None:
    assert cotw.data.shape == (227, 20)
    assert cotw.label_column == "Country"
    assert cotw.roles["Country"] == Role.LABEL
    assert cotw.roles["Region"] == Role.CATEGORY
    assert cotw.columns_with(Role.NUMERIC)[:3] == [
        "Population",
        "Area (sq. mi.)",
        "Pop. Density (per sq. mi.)",
    ]
    assert len(cotw.columns_with(Role.NUMERIC)) == 18
    assert cotw.set_aside.empty
    assert cotw.footnotes == []


def test_cotw_values_as_in_the_file(cotw: Sheet) -> None:
    kenya = row(cotw, "Kenya")
    assert kenya["Population"] == 34707817
    assert kenya["Area (sq. mi.)"] == 582650
    assert kenya["Pop. Density (per sq. mi.)"] == pytest.approx(59.6)  # "59,6" in the file
    assert kenya["Literacy (%)"] == pytest.approx(85.1)
    assert kenya["Climate"] == pytest.approx(1.5)  # "1,5"
    assert kenya["Region"] == "SUB-SAHARAN AFRICA"  # padded with spaces in the file
    france = row(cotw, "France")
    assert france["GDP ($ per capita)"] == 27600
    assert france["Agriculture"] == pytest.approx(0.022)  # "0,022": a decimal comma, not a thousands mark
    afghanistan = row(cotw, "Afghanistan")
    assert afghanistan["Pop. Density (per sq. mi.)"] == pytest.approx(48.0)  # "48,0"
    assert afghanistan["Net migration"] == pytest.approx(23.06)


def test_cotw_types_and_missing(cotw: Sheet) -> None:
    assert cotw.data["Population"].dtype == "int64"
    assert cotw.data["Pop. Density (per sq. mi.)"].dtype == "float64"
    assert cotw.data["Literacy (%)"].isna().sum() == 18  # 18 countries have no literacy figure
    assert pd.isna(row(cotw, "American Samoa")["Agriculture"])
    assert int(cotw.data["Population"].sum()) == 6524044551


def test_cotw_notes_say_what_changed(cotw: Sheet) -> None:
    assert "Read as a text table with fields separated by commas" in cotw.notes
    assert (
        "Converted 'Pop. Density (per sq. mi.)': 227 text numbers to numbers (227 with decimal commas)"
        in cotw.notes
    )
    assert "Stripped extra spaces from 215 values in 'Region'" in cotw.notes
    assert not any(note.startswith("Converted 'Population'") for note in cotw.notes)  # plain CSV numbers


# ---------------------------------------------------------------- KNBS population projections (xlsx)


def test_knbs_reads_every_sheet(knbs: Workbook) -> None:
    assert [s.name for s in knbs.sheets] == ["Table 19.1", "Table 19.2", "Table 19.3", "Table 19.4"]
    assert knbs.notes == []
    assert knbs.name == "knbs_population_projections"


def test_knbs_header_under_title_and_unit_rows(knbs: Workbook) -> None:
    county = knbs.sheets[1]
    assert county.header_row == 3
    assert county.title == "Table 19.2: Projected Population by County, 2020-2045"
    assert county.unit == "Number '000"
    assert "Header found on row 3 under 2 title rows" in county.notes
    assert list(county.data.columns) == ["County", *map(str, [*range(2020, 2026), 2030, 2035, 2040, 2045])]


def test_knbs_year_headers_are_strings(knbs: Workbook) -> None:
    county = knbs.sheets[1]
    assert "2040" in county.data.columns  # the cell holds the text '2040'
    assert "2020" in county.data.columns  # the cell holds the number 2020
    assert county.roles["2040"] == Role.NUMERIC
    assert row(county, "Mombasa")["2040"] == 1758
    assert row(county, "Nairobi City")["2045"] == 6180


def test_knbs_national_total_set_aside(knbs: Workbook) -> None:
    county = knbs.sheets[1]
    assert len(county.data) == 47
    assert "Kenya" not in set(county.data["County"])
    assert county.set_aside["County"].tolist() == ["Kenya"]
    assert county.set_aside.loc[0, "2020"] == 48818
    assert "Set aside 1 total row equal to the sum of the other rows: 'Kenya'" in county.notes
    labour = knbs.sheets[3]
    assert labour.set_aside["County"].tolist() == ["Kenya"]
    assert row(labour, "Nairobi City")["2030"] == 3650


def test_knbs_padded_label_stripped(knbs: Workbook) -> None:
    county = knbs.sheets[1]
    assert row(county, "Busia")["2020"] == 914  # 'Busia ' in the file
    assert "Stripped extra spaces from 1 value in 'County'" in county.notes


def test_knbs_merged_labels_forward_filled(knbs: Workbook) -> None:
    school = knbs.sheets[2]
    assert list(school.data.columns[:3]) == ["Age", "Sex", "2020"]  # merged 'Age / Sex' split in two
    assert school.data["Age"].notna().all()
    females = school.data.loc[school.data["Sex"] == "Female"].set_index("Age")
    assert females.loc["6-11", "2020"] == 3611
    assert females.loc["14-17", "2030"] == 2433
    assert "Filled 14 cells of merged row labels in 'Age' from the label above" in school.notes
    assert school.roles["Age"] == Role.CATEGORY and school.roles["Sex"] == Role.CATEGORY


def test_knbs_total_rows_and_notes_under_the_table(knbs: Workbook) -> None:
    school = knbs.sheets[2]
    assert len(school.data) == 14
    assert set(school.data["Sex"]) == {"Male", "Female"}
    assert school.set_aside["Sex"].tolist() == ["Total"] * 7
    assert school.set_aside.loc[0, "2020"] == 2464
    assert school.footnotes[0] == "Note"
    assert school.footnotes[1].startswith("CBC: pre-school - population age 4-5 years")
    assert school.footnotes[2].startswith("8-4-4: pre-school")
    assert len(school.footnotes) == 3


def test_knbs_year_column_is_a_date(knbs: Workbook) -> None:
    national = knbs.sheets[0]
    assert national.roles == {
        "Year": Role.DATE,
        "Male": Role.NUMERIC,
        "Female": Role.NUMERIC,
        "Total": Role.NUMERIC,
    }
    assert national.data["Year"].tolist()[-1] == 2045
    assert national.data.set_index("Year").loc[2030, "Total"] == 57811
    assert national.set_aside.empty  # the 'Total' column is a column, not a total row


def test_knbs_only_one_sheet(shared_data: Path) -> None:
    book = load_workbook(shared_data / KNBS, sheet="Table 19.4")
    assert [s.name for s in book.sheets] == ["Table 19.4"]
    assert book.sheets[0].data.shape == (47, 12)


# ---------------------------------------------------------------- statistics-office tables (issue 10)


def test_undp_countries_ranked_without_world_and_regions(shared_data: Path) -> None:
    hdi = load_workbook(shared_data / "undp_hdr2023_24_hdi_table.xlsx").sheets[0]
    assert hdi.label_column == "Country"
    assert hdi.header_row == 7  # indicator / unit / year header on rows 5 to 7, under the title
    assert "Joined the 3 header rows 5, 6, 7 into one name per column" in hdi.notes
    assert len(hdi.data) == 195  # 193 ranked countries, North Korea and Monaco
    assert hdi.data["HDI rank"].count() == 193
    value = "Human Development Index (HDI) Value 2022"
    assert hdi.data.nlargest(3, value)["Country"].tolist() == ["Switzerland", "Norway", "Iceland"]
    aside = dict(zip(hdi.set_aside["Country"], hdi.set_aside_reasons, strict=True))
    for group in ("World", "Arab States", "Sub-Saharan Africa", "Very high human development"):
        assert group not in set(hdi.data["Country"])
        assert group in aside
    assert aside["Arab States"].startswith("aggregate of countries")
    assert aside["VERY HIGH HUMAN DEVELOPMENT"] == "section heading"
    assert aside["a. Data refer to 2022 or the most recent year available."] == "note or flag line"


def test_undp_sections_and_rank_column(shared_data: Path) -> None:
    hdi = load_workbook(shared_data / "undp_hdr2023_24_hdi_table.xlsx").sheets[0]
    by_country = hdi.data.set_index("Country")
    assert by_country.loc["Niger", "Section"] == "LOW HUMAN DEVELOPMENT"
    assert by_country.loc["Monaco", "Section"] == "OTHER COUNTRIES OR TERRITORIES"
    assert hdi.roles["HDI rank"] == Role.ID  # a rank with ties, not a measure
    assert hdi.roles["HDI rank 2021"] == Role.ID
    gni = "Gross national income (GNI) per capita (2017 PPP $) 2022"  # indicator, unit and year rows joined
    assert row(hdi, "Norway")[gni] == pytest.approx(69189.76165)
    assert hdi.roles[f"{gni} flag"] == Role.TEXT  # the footnote letters beside the values
    assert hdi.roles["Section"] == Role.CATEGORY


def test_bls_levels_by_indent_never_double_counted(shared_data: Path) -> None:
    bls = load_workbook(shared_data / "bls_cps_employed_by_occupation.xlsx").sheets[0]
    assert bls.unit == "[Numbers in thousands]"
    assert bls.set_aside.iloc[0]["Occupation"] == "Total, 16 years and over"
    assert bls.set_aside.iloc[0]["Total Employed"] == 152581
    assert bls.levels == ["level 1", "level 2", "level 3", "level 4"]
    assert bls.level == "level 4"  # the detailed occupations, wherever the indent puts them
    assert len(bls.data) == 565  # 242 under the 10 minor groups, 323 right under their major group
    assert set(bls.data["level"]) == {4}
    assert bls.data["Total Employed"].sum() == pytest.approx(152581, abs=10)  # not 4 times the total
    top = bls.data.nlargest(3, "Total Employed")["Occupation"].tolist()
    assert top == ["Managers, all other", "Driver/sales workers and truck drivers",
                   "Elementary and middle school teachers"]  # fmt: skip  # never 'Management occupations'
    minor = bls.level_rows.loc[bls.level_rows["level"] == 3, "Occupation"].tolist()
    assert len(minor) == 10 and minor[0] == "Management occupations"  # groups only, no occupation among them
    assert row(bls, "Pharmacy technicians")["parent"] == "Healthcare practitioners and technical occupations"
    assert row(bls, "Cooks")["parent"] == "Food preparation and serving related occupations"
    majors = bls.level_rows.loc[bls.level_rows["level"] == 1].nlargest(3, "Total Employed")
    assert majors["Occupation"].tolist() == [
        "Management,  professional, and related occupations",
        "Sales and office occupations",
        "Service occupations",
    ]
    management = bls.level_rows.set_index("Occupation").loc["Management occupations"]
    assert management["parent"] == "Management, business, and financial operations occupations"
    assert any(n.startswith("4 levels found by the indent of the labels") for n in bls.notes)


def test_mospi_sectors_under_their_subtotals(shared_data: Path) -> None:
    gsva = load_workbook(shared_data / "mospi_tamil_nadu_gsva_by_sector.csv").sheets[0]
    assert gsva.roles["S.No."] == Role.ID  # '1', '1.1', 'Total': codes, not a measure
    assert len(gsva.data) == 11  # sectors 1 to 11
    assert gsva.data["2016-17"].sum() == pytest.approx(120325477, abs=2)  # = TOTAL GSVA, counted once
    top = gsva.data.nlargest(3, "2016-17")["Item"].tolist()
    assert top == ["Real estate, ownership of dwelling & professional services", "Manufacturing",
                   "Trade, repair, hotels and restaurants"]  # fmt: skip
    assert row(gsva, "Manufacturing")["parent"] == "Secondary"
    aside = dict(zip(gsva.set_aside["Item"], gsva.set_aside_reasons, strict=True))
    assert gsva.levels == ["level 1", "level 2", "level 3", "level 4"] and gsva.level == "level 3"
    assert aside["Primary"] == "aggregate: the sum of the 2 rows above it (level 2)"
    # '12 TOTAL GSVA' = Primary + Secondary + Tertiary: the top of the outline, told by its sums, not its word
    assert aside["TOTAL GSVA at basic prices"] == "aggregate: the sum of the 3 rows above it (level 1)"
    assert aside["Population"].startswith("outside the outline")
    assert "Crops" in set(gsva.level_rows["Item"])  # the finer level is kept, not lost
    shape = ("4 levels found by their sums: level 1 (1, e.g. 'TOTAL GSVA at basic prices') > level 2 (3, "
             "e.g. 'Primary') > level 3 (11, e.g. 'Agriculture, forestry and fishing') > level 4 (13, e.g. "
             "'Crops'); rankings and sums at level 3 (11 rows), each with its parent")  # fmt: skip
    assert shape in gsva.notes


def test_ibge_brasil_over_its_municipalities(shared_data: Path) -> None:
    ibge = load_workbook(shared_data / "ibge_population_estimates_municipalities.xlsx").sheets[0]
    assert list(ibge.data.columns) == ["Brasil e Município", "State", "Ano 2020"]  # merged over two rows
    assert len(ibge.data) == 5570
    assert ibge.set_aside["Brasil e Município"].tolist() == ["Brasil"]
    assert ibge.data["Ano 2020"].sum() == 211755692 == ibge.set_aside.loc[0, "Ano 2020"]
    top = ibge.data.nlargest(3, "Ano 2020")["Brasil e Município"].tolist()
    assert top == ["São Paulo (SP)", "Rio de Janeiro (RJ)", "Brasília (DF)"]
    # the state in each label, '(RO)', is one column: 27 states (with DF), the municipalities grouped by it
    assert ibge.roles["State"] == Role.CATEGORY and ibge.data["State"].nunique() == 27
    assert row(ibge, "Ariquemes (RO)")["State"] == "RO"
    states = ibge.data.groupby("State")["Ano 2020"].sum().nlargest(3)
    assert states.to_dict() == {"SP": 46289333, "MG": 21292666, "RJ": 17366189}
    assert ibge.data["State"].value_counts()[["MG", "SP", "RS"]].tolist() == [853, 645, 497]
    bom_jesus = ibge.data.loc[ibge.data["Brasil e Município"].str.startswith("Bom Jesus ("), "State"]
    assert sorted(bom_jesus) == ["PB", "PI", "RN", "RS", "SC"]  # one name, five municipalities


def test_nbs_stacked_tables_sections_and_gdp_total(shared_data: Path) -> None:
    book = load_workbook(shared_data / "nbs_nigeria_gdp_by_activity_quarterly.xlsx")
    names = [s.name for s in book.sheets]
    assert names[:2] == ["GDP_Curr_K_defl_%Distrn", "GDP_Curr_K_defl_%Distrn (2)"]  # two stacked tables
    current, constant = book.sheets[0], book.sheets[1]
    assert constant.title == "Gross Domestic Product At 2010 Constant Basic Prices (=N=Million)"
    assert "2020 Q1" in current.data.columns  # the year row over Q1 .. Q4
    assert len(current.data) == 46  # the 46 activities
    assert current.data["2020 Q1"].sum() == pytest.approx(35647406.08, rel=1e-9)
    gdp = current.set_aside.loc[current.set_aside["Column A"] == "GDP  Current Basic Price"].iloc[0]
    assert gdp["2020 Q1"] == pytest.approx(35647406.08, rel=1e-9)
    crops = current.data.loc[current.data["Column A"] == "1. Crop Production"].iloc[0]
    assert crops["Section"] == "AGRICULTURE"


def test_ons_time_series_split_by_frequency(shared_data: Path) -> None:
    book = load_workbook(shared_data / "ons_cpih_annual_rate_series.csv")
    sizes = {s.name: len(s.data) for s in book.sheets}
    assert sizes == {
        "ons_cpih_annual_rate_series (annual)": 33,
        "ons_cpih_annual_rate_series (quarterly)": 134,
        "ons_cpih_annual_rate_series (monthly)": 403,
    }
    annual = book.sheets[0]
    assert annual.unit == "%"  # from the 'Unit' metadata line
    assert annual.data.iloc[-1].tolist() == ["2021", 2.5]
    assert "CDID" in set(annual.set_aside["Title"])


@pytest.mark.slow  # a real file the loader takes seconds over
def test_eurostat_eu_aggregate_flags_and_dimension_header(shared_data: Path) -> None:
    book = load_workbook(shared_data / "eurostat_unemployment_by_duration.xlsx")
    assert book.notes[:2] == ["Skipped sheet 'Summary': no column holds numbers",
                              "Skipped sheet 'Structure': no column holds numbers"]  # fmt: skip
    first = book.sheets[0]
    assert first.label_column == "GEO (Labels)"  # the row under 'TIME' names the label column
    assert first.unit == "Thousand persons"
    assert len(first.data) == 38
    eu = first.set_aside.iloc[0]
    assert eu["GEO (Labels)"] == "European Union - 27 countries (from 2020)" and eu["2024"] == 13074.2
    assert first.data["2024"].head(27).sum() == pytest.approx(13074.2)  # the 27 members, EU not added
    assert first.roles["2024 flag"] == Role.TEXT  # the unnamed flag column beside 2024 ('b', 'u')
    assert row(first, "Bulgaria")["2019 flag"] == "b"
    assert first.data.nlargest(3, "2024")["GEO (Labels)"].tolist() == ["Türkiye", "Spain", "France"]


@pytest.mark.slow  # a real file the loader takes seconds over
def test_bulgaria_stacked_years_and_cyrillic_total(shared_data: Path) -> None:
    book = load_workbook(shared_data / "nsi_bulgaria_job_vacancies_by_activity.xls")
    first, second = book.sheets[0], book.sheets[1]
    assert second.name == "Тримесечни данни НКИД_03 (2)" and second.title == "2007"  # the year row over it
    column = "Свободни работни места - брой I"
    assert first.set_aside["Икономически дейности"].tolist() == ["Общо"]
    assert first.set_aside.loc[0, column] == 20959 == first.data[column].sum()  # Общо not counted twice
    assert len(first.data) == 14


@pytest.mark.slow  # a real file the loader takes seconds over
def test_statcan_marks_unit_line_and_footnotes(shared_data: Path) -> None:
    cpi = load_workbook(shared_data / "statcan_cpi_monthly_as_displayed.csv").sheets[0]
    assert cpi.title == "Consumer Price Index, monthly, not seasonally adjusted"  # '1 2 3' removed
    assert cpi.label_column == "Products and product groups"  # '3 4' removed
    assert cpi.unit == "2002=100"  # the line under the header, not a data row
    assert cpi.data.iloc[0]["Products and product groups"] == "Food"  # 'Food 5'
    assert cpi.data.iloc[0]["January 2013"] == pytest.approx(131.6)
    assert "All-items" in set(cpi.set_aside["Products and product groups"])
    assert cpi.footnotes[0] == "Footnotes:" and cpi.footnotes[5].startswith("5 Food includes")
    reasons = dict(zip(cpi.set_aside["Products and product groups"], cpi.set_aside_reasons, strict=True))
    assert reasons["Energy"] == "aggregate (footnote 7 says so)"  # 'The special aggregate energy includes'
    assert len(cpi.data) == 11  # eight major components, Gasoline, Goods, Services


def test_abs_series_metadata_under_the_header(shared_data: Path) -> None:
    book = load_workbook(shared_data / "abs_national_accounts_key_aggregates.xls")
    index, data = book.sheets
    assert index.header_row == 11  # the catalogue under titles and links
    assert index.roles["Series ID"] == Role.ID
    assert data.data.shape == (232, 109)  # quarters from Sep 1959 to Jun 2017, 108 series
    assert str(data.data["Column A"].iloc[0])[:10] == "1959-09-01"
    assert any(
        n.startswith("Set aside 9 lines of series metadata under the header: 'Unit'") for n in data.notes
    )
    assert not any("Collection Month" in str(v) for v in data.data["Column A"])


def test_forest_research_sections_over_periods(shared_data: Path) -> None:
    table = load_workbook(shared_data / "forestresearch_uk_timber_statistics.ods", sheet="Table_2_4a").sheets[
        0
    ]
    assert table.title.startswith("Table 2.4a: 25-year forecast of softwood availability")
    assert len(table.data) == 10  # two blocks of five periods; the 'Total softwood' block set aside
    assert table.data["Section"].unique().tolist() == ["FE/FLS/NRW/FS", "Private sector"]  # [note 5] stripped
    assert table.data["Annual average in the period"].iloc[0] == "2022 to 2026"
    assert table.data["England"].sum() == pytest.approx(
        table.set_aside["England"].sum(), abs=2
    )  # not doubled
    assert table.set_aside_reasons == ["section heading"] * 3 + ["total row (labelled as a total)"] * 5


def test_forest_research_two_levels_told_by_arithmetic(shared_data: Path) -> None:
    products = load_workbook(
        shared_data / "forestresearch_uk_timber_statistics.ods", sheet="Table_2_18a"
    ).sheets[0]
    assert len(products.data) == 12  # 4 destinations x 3 products; 'Bark' under each is not a duplicate
    destinations = ["Sold to wood processing industries", "Sold to bio-energy", "Other Sales"]
    assert products.data["parent"].unique().tolist() == [*destinations, "Internal use for heat/energy"]
    assert products.data["England"].sum() == 100  # per cent of the total, the destinations not added again
    assert products.set_aside.iloc[0]["England"] == 49  # 36 + 0 + 14 = 50: equal within rounding


def test_forest_research_uk_and_great_britain_are_aggregate_columns(shared_data: Path) -> None:
    path = shared_data / "forestresearch_uk_timber_statistics.ods"
    removals = load_workbook(path, sheet="Table_2_2").sheets[0]  # private sector softwood removals
    assert removals.aggregate_columns == {"UK": ["England", "Wales", "Scotland", "Northern Ireland"]}
    first = removals.data.iloc[0]
    assert (first["Year"], first["UK"]) == (2013, 5852)
    assert first[["England", "Wales", "Scotland", "Northern Ireland"]].sum() == 5852  # 929 + 695 + 4205 + 23
    assert any(n.startswith("1 aggregate column, never added to its parts: 'UK' = 'England'")
               for n in removals.notes)  # fmt: skip
    forecast = load_workbook(path, sheet="Table_2_4a").sheets[0]  # GB = E + W + S; UK = GB + NI
    assert forecast.aggregate_columns == {
        "Great Britain": ["England", "Wales", "Scotland"],
        "United Kingdom": ["Great Britain", "Northern Ireland"],
    }
    sawmills = load_workbook(path, sheet="Table_2_7a").sheets[0]  # two totals in one table, 86 = 72 + 13
    assert sawmills.aggregate_columns == {
        "Total softwood": ["UK-grown softwood", "Imported softwood"],
        "Total hardwood": ["UK-grown hardwood", "Imported hardwood"],
    }


def test_nbs_year_totals_beside_their_quarters(shared_data: Path) -> None:
    current = load_workbook(shared_data / "nbs_nigeria_gdp_by_activity_quarterly.xlsx").sheets[0]
    assert current.aggregate_columns["2020 Total"] == ["2020 Q1", "2020 Q2", "2020 Q3", "2020 Q4"]
    assert current.aggregate_columns["2021 Total"] == ["2021 Q1", "2021 Q2", "2021 Q3", "2021 Q4"]
    assert "2022 Q1" not in current.aggregate_columns  # a quarter alone is no total


@pytest.mark.slow  # a real file the loader takes seconds over
def test_bulgaria_annual_three_row_header_and_country_total_column(shared_data: Path) -> None:
    annual = load_workbook(shared_data / "nsi_bulgaria_job_vacancies_by_activity.xls").sheets
    sheet = next(s for s in annual if s.name == "Годишни данни НКИД_03")
    vacancies = "Свободни работни места Общо за страната"  # measure / 'country total' over two header rows
    regions = [c for c in sheet.data.columns if c.startswith("Свободни работни места Статистически райони")]
    assert len(regions) == 6 and regions[0].endswith("Северо-западен")  # measure / group / region joined
    assert sheet.aggregate_columns[vacancies] == regions
    assert len(sheet.aggregate_columns) == 2  # vacancies and occupied jobs, each over its six regions
    assert sheet.title == "РАБОТНИ МЕСТА ПО КЛАСОВЕ ПРОФЕСИИ И СТАТИСТИЧЕСКИ РАЙОНИ, 2006"  # its year row
    assert sheet.unit == "(Среден годишен брой)"  # annual average number
    assert len(sheet.data) == 9 and sheet.set_aside[sheet.label_column].tolist() == ["Общо"]
    assert sheet.set_aside.loc[0, vacancies] == 19764 == sheet.data[vacancies].sum()  # the nine classes
    assert sheet.data[regions].sum(axis=1).tolist() == sheet.data[vacancies].tolist()  # each class: 6 regions


@pytest.mark.slow  # a real file the loader takes seconds over
def test_imf_one_table_per_subject_never_summed_together(shared_data: Path) -> None:
    book = load_workbook(shared_data / "imf_weo_country_groups_tab_text.xls")
    names = [s.name.removeprefix("imf_weo_country_groups_tab_text ") for s in book.sheets]
    assert names == ["(NGDP_RPCH)", "(PPPGDP)", "(NGDPRPPPPCPCH)", "(PCPIPCH)", "(PCPIEPCH)", "(LUR)",
                     "(GGXCNL_NGDP)", "(BCA_NGDPD)", "(series)"]  # fmt: skip  # 8 subjects, 75 one-row series
    gdp = book.sheets[1]
    assert gdp.title == "Gross domestic product, current prices"
    assert gdp.unit == "Purchasing power parity; international dollars, Billions"
    assert gdp.label_column == "Country Group Name" and len(gdp.data) == 11  # 12 groups; no 'Euro area' value
    assert gdp.set_aside["Country Group Name"].tolist() == ["World"]
    world = gdp.set_aside.iloc[0]["2019"]
    assert world == pytest.approx(142005.647)  # '142,005.647' read with its thousands comma
    advanced, emerging = (
        row(gdp, "Advanced economies")["2019"],
        row(gdp, "Emerging market and developing economies")["2019"],
    )
    assert advanced + emerging == pytest.approx(world)  # World = AE + EMDE
    series = book.sheets[-1]
    assert series.label_column == "Subject Descriptor" and len(series.data) == 75
    assert series.title == "001 World: 75 series with one row each, each in its own unit"
    assert (
        row(series, "Commodity Price Index includes both Fuel and Non-Fuel Price Indices")["Units"]
        == "Index, 2016=100"
    )
    assert series.footnotes == ["International Monetary Fund, World Economic Outlook Database, April 2020"]


def test_knbs_total_column_is_male_plus_female(shared_data: Path) -> None:
    kenya = load_workbook(shared_data / KNBS, sheet="Table 19.1").sheets[0]
    assert kenya.aggregate_columns == {"Total": ["Male", "Female"]}
    first = kenya.data.iloc[0]
    assert (first["Male"], first["Female"], first["Total"]) == (24214, 24604, 48818)  # 2020, in '000
    assert "1 aggregate column, never added to its parts: 'Total' = 'Male' + 'Female'" in kenya.notes
