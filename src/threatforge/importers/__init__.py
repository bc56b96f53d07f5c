"""Importers: other formats in, a threatforge model out (and scanner evidence)."""
