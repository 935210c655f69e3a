"""Tests on a real Open Policy Agent: Rego compiler, bundles, server, differential runs."""
