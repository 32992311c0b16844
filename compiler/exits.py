"""The exit codes every command shares (compiler/cli.py's docstring says when each is
used), in one place so the command files cannot drift apart."""

EXIT_OK, EXIT_INVALID, EXIT_USAGE, EXIT_INTERNAL, EXIT_FOUND = 0, 1, 2, 3, 4
