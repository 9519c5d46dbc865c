"""Encrypt a small xlsx into password_protected.xlsx with msoffcrypto-tool 6.1.0 (not a dependency).

The plain workbook was made with openpyxl: sheet 'data', rows Country/Population, Kenya/53.8, Peru/33.0.
Run once: ``python make_password_protected_xlsx.py plain.xlsx password_protected.xlsx``; the password is
``gdrivestats``.
"""

import io
import sys

import msoffcrypto
from msoffcrypto.format.ooxml import OOXMLFile

source, target = sys.argv[1], sys.argv[2]
with open(source, "rb") as plain, open(target, "wb") as out:
    OOXMLFile(plain).encrypt("gdrivestats", out)
# check it opens again with the password
with open(target, "rb") as handle:
    office = msoffcrypto.OfficeFile(handle)
    office.load_key(password="gdrivestats")
    buffer = io.BytesIO()
    office.decrypt(buffer)
    print("decrypts to", len(buffer.getvalue()), "bytes; encrypted:", office.is_encrypted())
