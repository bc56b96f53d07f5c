"""Fuzz the SARIF evidence importer (scanner results mapped onto components).

Expected outcome: an :class:`ImporterError` (not UTF-8, not JSON, not a SARIF log). Malformed
parts of a SARIF log are skipped, never an error; anything else raised is a crash.

    python fuzz/fuzz_sarif_evidence.py CORPUS_DIR -max_total_time=60 -rss_limit_mb=2048 -timeout=10
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path

from _fuzzing import fuzz_main, instrumented

with instrumented():
    from threatforge.errors import ImporterError
    from threatforge.importers.sarif_evidence import load_evidence
    from threatforge.model import load_text

MODEL = load_text(
    """
system: {name: Fuzz}
components:
  api: {kind: service, paths: [services/api/**, "*.py"]}
  web: {kind: service, paths: [/checkout/*, web/]}
  infra: {kind: service, paths: ["**/*.tf"]}
""",
    "model.yaml",
)
_FOLDER = Path(tempfile.mkdtemp(prefix="threatforge-fuzz-"))
atexit.register(shutil.rmtree, _FOLDER, True)
INPUT = _FOLDER / "results.sarif"


def TestOneInput(data: bytes) -> None:  # the name atheris expects
    """Read ``data`` as a SARIF file (through the real file-reading path)."""
    INPUT.write_bytes(data)
    try:
        load_evidence([INPUT], MODEL)
    except ImporterError:
        return


if __name__ == "__main__":
    fuzz_main(TestOneInput)
