"""Run every harness for a while (``make fuzz FUZZ_SECONDS=N``) and summarise what it found.

For each harness: copy its seeds (``_fuzzing.SEEDS``, every rule fixture too) into
``out/fuzz/<harness>/corpus`` (libFuzzer adds the inputs it finds interesting there), then run it
for N seconds with ``-rss_limit_mb=2048 -timeout=10`` and ``-artifact_prefix`` set to
``out/fuzz/<harness>/crashes/``. Every harness runs even when an earlier one found a crash; the
exit status is 1 when any did. A crash file becomes a regression case in ``tests/corpus``
(``tests/corpus/generate.py``) once the bug is fixed.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

from _fuzzing import FUZZ, ROOT, seeds

HARNESSES = ("loader", "rule_pack", "sarif_evidence")
DICTIONARIES = {"loader": "yaml.dict", "rule_pack": "yaml.dict", "sarif_evidence": "json.dict"}


def _prepare(harness: str, out: Path) -> tuple[Path, Path]:
    corpus, crashes = out / harness / "corpus", out / harness / "crashes"
    corpus.mkdir(parents=True, exist_ok=True)
    crashes.mkdir(parents=True, exist_ok=True)
    for index, seed in enumerate(seeds(harness, extra=True)):
        shutil.copyfile(seed, corpus / f"seed-{index:04d}-{seed.name}")
    return corpus, crashes


def run(harness: str, seconds: int, out: Path) -> list[Path]:
    """Fuzz one harness for ``seconds``; return the crash files this run left (files an
    earlier run left are kept, and named, but not counted again)."""
    corpus, crashes = _prepare(harness, out)
    earlier = {p for p in crashes.iterdir() if p.is_file()}
    if earlier:
        print(f"== fuzz_{harness}: {len(earlier)} crash file(s) from earlier runs in {crashes}")
    argv = [
        sys.executable,
        str(FUZZ / f"fuzz_{harness}.py"),
        str(corpus),
        f"-max_total_time={seconds}",
        "-rss_limit_mb=2048",
        "-timeout=10",
        f"-dict={FUZZ / DICTIONARIES[harness]}",
        f"-artifact_prefix={crashes}/",
        "-print_final_stats=1",
    ]
    print(f"== fuzz_{harness}: {seconds} s, corpus {corpus}", flush=True)
    subprocess.run(argv, cwd=ROOT, check=False, timeout=seconds + 600)  # noqa: S603 - our harness
    return sorted(p for p in crashes.iterdir() if p.is_file() and p not in earlier)


def main() -> int:
    """Run the harnesses; print the crash files; exit 1 when there are any."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=60, help="time per harness")
    parser.add_argument("--out", type=Path, default=ROOT / "out" / "fuzz")
    parser.add_argument("harnesses", nargs="*", help=f"some of: {', '.join(HARNESSES)}")
    options = parser.parse_args()
    unknown = sorted(set(options.harnesses) - set(HARNESSES))
    if unknown:
        parser.error(f"unknown harness {', '.join(unknown)} (choose from {', '.join(HARNESSES)})")
    found: dict[str, list[Path]] = {}
    for harness in options.harnesses or HARNESSES:
        found[harness] = run(harness, options.seconds, options.out)
    print("\n== summary")
    for harness, crashes in found.items():
        print(f"fuzz_{harness}: {len(crashes)} crash file(s)")
        for crash in crashes:
            print(f"  {crash.relative_to(ROOT) if crash.is_relative_to(ROOT) else crash}")
    return 1 if any(found.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
