"""Run the command line interface: ``python -m gdrivestats``."""

from gdrivestats.cli import entry

if __name__ == "__main__":
    entry()
