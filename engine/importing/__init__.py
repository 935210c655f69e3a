"""Importers: other formats of model metadata as govern records."""
