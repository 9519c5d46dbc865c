"""``python -m bench``: run the benchmarks, print the table and rewrite BENCHMARKS.md."""

from bench.run import main

raise SystemExit(main())
