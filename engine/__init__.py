"""govern: a model-governance policy engine.

The package is layered so the seams are easy to see:

- ``records``    pydantic models of the four record kinds (model card, task, profile, policy);
- ``facts``      the fact paths a rule may address, derived from the record models;
- ``conditions`` the closed condition language: one operator table, compiled once;
- ``core``       the pure decision: records and an as-of date in, a ``Decision`` out;
- ``loading``    YAML files to records, with file:line:col errors;
- ``formats``    renderers of decisions (text, json, ...);
- ``backends``   who evaluates (the native engine; an OPA server).
"""

__version__ = "0.1.0"
