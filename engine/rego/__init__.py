"""govern's policies as Rego: the compiler, the static library and OPA bundles.

``compiler`` turns a ``PolicySet`` into the ``govern.rules`` module and the policy data;
``bundle`` packs them with the catalog into an OPA bundle. See docs/opa.md.
"""
