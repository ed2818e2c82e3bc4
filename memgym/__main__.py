"""``python -m memgym``: the same command line as the ``memgym`` script."""

from memgym.cli import main

raise SystemExit(main())
