"""Write synthetic_counties.xls (BIFF8) with xlwt 1.3.0, which is not a gdrivestats dependency.

Run once: ``python make_synthetic_counties_xls.py synthetic_counties.xls``.
"""

import sys

import xlwt

book = xlwt.Workbook()
sheet = book.add_sheet("Counties")
sheet.write(0, 0, "Table 1: Population by county and sex, 2019")
sheet.write(1, 3, "Number in '000")
sheet.write_merge(2, 3, 0, 0, "County")
sheet.write_merge(2, 2, 1, 2, "Population")
sheet.write(2, 3, "Area (km2)")
sheet.write(3, 1, "Male")
sheet.write(3, 2, "Female")
rows = [
    ("Coast", 1740, 1788, "21 029,8"),
    ("Mombasa", 610, 598, "219,9"),
    ("Kwale", 425, 441, "8 270,2"),
    ("Kilifi", 705, 749, "12 539,7"),
]
for r, values in enumerate(rows, start=4):
    for c, value in enumerate(values):
        sheet.write(r, c, value)
sheet.write(9, 0, "Source: synthetic figures for tests")
# a second sheet with no numbers at all, to be skipped
book.add_sheet("About").write(0, 0, "Made for the gdrivestats tests")
book.save(sys.argv[1])
