"""``python -m govern``: the same command as ``govern``."""

from govern.cli import main

main()
