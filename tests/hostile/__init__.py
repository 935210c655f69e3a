"""Hostile input: generated mutants of the bundled catalog, the oracle that judges them, and
one readable example per class of what govern refuses."""
