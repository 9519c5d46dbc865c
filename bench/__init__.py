"""Benchmarks of gdrivestats against its peers (a naive script, rclone, pandas): ``python -m bench``."""
