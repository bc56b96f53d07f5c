"""Text for every output format threatforge writes (JSON here; escaping per format joins it).

This package sits below everything else: it imports nothing from threatforge except
:mod:`threatforge.errors`, so exporters, reports and analyses share it.
"""

from __future__ import annotations
