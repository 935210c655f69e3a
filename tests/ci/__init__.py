"""Tests of the CI features: govern check, policy tests, decision records, the action, hooks."""
