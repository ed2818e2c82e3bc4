"""The ``memgym`` subcommands, one module each (see ``memgym.cli``)."""
