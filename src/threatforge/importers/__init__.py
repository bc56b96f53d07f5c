"""Importers: other formats in, a threatforge model out (and scanner evidence).

:mod:`~threatforge.importers.interface` defines an importer; :mod:`~threatforge.importers.registry`
lists the built-in ones and loads plugins (entry point group ``threatforge.importers``).
"""

from __future__ import annotations

from threatforge.importers.interface import ImportedModel, Importer
from threatforge.importers.registry import ENTRY_POINT_GROUP, ImporterSet, load_importers

__all__ = ["ENTRY_POINT_GROUP", "ImportedModel", "Importer", "ImporterSet", "load_importers"]
