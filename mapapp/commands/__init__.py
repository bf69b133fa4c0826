"""One module per ``mapapp`` subcommand; see :mod:`mapapp.cli`."""
