"""govern: a model-governance policy engine.

The package reads top-down; each floor imports only from the floors below it (a test,
tests/core/test_layering.py, holds this):

1. the pure core: ``records``, ``fieldtypes``, ``numbers``, ``conditions``, ``facts``, ``core``,
   ``errors`` (no files, no clock, no CLI, no OPA);
2. ``loading``: YAML files to records, with file:line:col errors, and the catalog;
3. features: ``check`` (the usage manifest and ``govern check``), ``policy_tests``,
   ``decision_records``, ``backends`` (native, OPA), ``rego``, ``schemas``, ``validate``;
4. ``formats``: renderers of decisions, check reports, policy test runs and listings;
5. ``cli``: flags in, exit codes out.
"""

__version__ = "0.1.0"
