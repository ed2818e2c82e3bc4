"""``python -m memgym``: the same command line as the ``memgym`` script."""

from memgym.cli import console_main

console_main()
