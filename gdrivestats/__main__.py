"""Run the command line interface: ``python -m gdrivestats``."""

from gdrivestats.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
