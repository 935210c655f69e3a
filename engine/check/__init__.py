"""The manifest check (`govern check`): the usage manifest, resolving it against the catalog,
and the report of a run."""
