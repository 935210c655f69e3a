"""``python -m govern``: the same command as ``govern`` (same name in usage lines, and the same
shell-completion variable, ``_GOVERN_COMPLETE``)."""

from govern.cli import main

main(prog_name="govern")
