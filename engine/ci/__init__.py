"""govern in CI: policy tests, decision records, the manifest check and its reports."""
