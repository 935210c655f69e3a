"""From files to records: safe YAML with positions, staged validation, the catalog."""
