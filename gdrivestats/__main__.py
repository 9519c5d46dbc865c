"""Run the command line interface: ``python -m gdrivestats``."""

from gdrivestats.cli import main

raise SystemExit(main())
