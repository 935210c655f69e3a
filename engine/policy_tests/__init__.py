"""Policy tests (`govern test`): test files of cases, and running them against the policies."""
