"""Tests of the decision core, the bundled decisions, the CLI outputs and the docs."""
