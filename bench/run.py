"""Benchmark threatforge as whole processes, against the targets of the performance issue.

    python bench/run.py            # full run: N = 100, 1k, 5k, 10k; 3 runs each; writes README
    python bench/run.py --quick    # smaller and fewer runs (under two minutes), prints only

Every figure is the median wall time and the peak RSS of a whole ``threatforge`` process
(interpreter start included), measured with ``os.wait4``. When OWASP pytm is importable, the same
topology (``bench/generate.py --pytm``) is run through pytm in the same session and the ratio is
printed. Results go to ``bench/README.md`` between the RESULTS markers (unless ``--no-write``).
"""

from __future__ import annotations

import argparse
import importlib.util
import math
import os
import platform
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
WORK = BENCH / "results"
EXAMPLE = ROOT / "examples" / "card-checkout" / "threatmodel.yaml"
START, END = "<!-- RESULTS:START -->", "<!-- RESULTS:END -->"


@dataclass(frozen=True)
class Measure:
    wall: float
    rss_mb: float
    code: int


def run_once(argv: list[str], timeout: float) -> Measure:
    """One whole process: wall time and its own peak RSS (not the maximum over all children)."""
    started = time.perf_counter()
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = started + timeout
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() > deadline:
            process.kill()
            pid, status, usage = os.wait4(process.pid, 0)
            return Measure(float("inf"), usage.ru_maxrss / 1024, -9)
        time.sleep(0.005)
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    return Measure(wall, usage.ru_maxrss / 1024, process.returncode)


def measure(argv: list[str], runs: int, timeout: float = 600) -> Measure:
    """The median of ``runs`` runs (wall and RSS medians taken separately)."""
    results = [run_once(argv, timeout) for _ in range(runs)]
    return Measure(
        statistics.median(r.wall for r in results),
        statistics.median(r.rss_mb for r in results),
        results[-1].code,
    )


def threatforge() -> list[str]:
    return [str(_script())] if _script().exists() else [sys.executable, "-m", "threatforge"]


def _script() -> Path:
    return Path(sys.executable).parent / "threatforge"


def has_command(name: str) -> bool:
    done = subprocess.run([*threatforge(), name, "--help"], capture_output=True, check=False)
    return done.returncode == 0


def generate(n: int, pytm: bool) -> tuple[Path, Path | None]:
    WORK.mkdir(parents=True, exist_ok=True)
    model = WORK / f"synthetic-{n}.yaml"
    pytm_file = WORK / f"synthetic-{n}_pytm.py" if pytm else None
    # regenerated every run: cheap, and never stale after a change to the generator
    argv = [sys.executable, str(BENCH / "generate.py"), "--components", str(n), "-o", str(model)]
    if pytm_file is not None:
        argv += ["--pytm", str(pytm_file)]
    subprocess.run(argv, check=True, capture_output=True)
    return model, pytm_file


def exponent(small: tuple[int, float], large: tuple[int, float]) -> float:
    """The growth exponent k of t ~ n^k between two sizes."""
    (n1, t1), (n2, t2) = small, large
    return math.log(t2 / t1) / math.log(n2 / n1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--quick", action="store_true", help="small sizes, one run: under 2 minutes"
    )
    parser.add_argument("--runs", type=int, default=0, help="runs per figure (default 3, quick 1)")
    parser.add_argument("--sizes", default="", help="comma-separated component counts")
    parser.add_argument("--no-write", action="store_true", help="do not update bench/README.md")
    parser.add_argument("--no-pytm", action="store_true", help="skip the pytm comparison")
    args = parser.parse_args(argv)

    quick = args.quick
    sizes = [int(s) for s in args.sizes.split(",") if s] or (
        [100, 1000, 10000] if quick else [100, 1000, 5000, 10000]
    )
    runs = args.runs or (1 if quick else 3)
    pytm_size = 1000 if quick else 5000
    use_pytm = not args.no_pytm and importlib.util.find_spec("pytm") is not None
    tf = threatforge()
    out = WORK / "out"
    out.mkdir(parents=True, exist_ok=True)
    has_paths, has_report, has_check = (
        has_command("paths"),
        has_command("report"),
        has_command("check"),
    )

    rows: list[tuple[str, str, str, str, str]] = []  # figure, value, target, verdict, note

    def row(figure: str, value: str, target: str, ok: bool | None, note: str = "") -> None:
        verdict = "n/a" if ok is None else ("met" if ok else "MISSED")
        rows.append((figure, value, target, verdict, note))
        print(f"{figure:<48} {value:>18}  target {target:<14} {verdict} {note}", flush=True)

    analyze_times: dict[int, float] = {}
    for n in sizes:
        model, _ = generate(n, use_pytm and n == pytm_size)
        v = measure([*tf, "-q", "validate", str(model)], runs)
        row(f"load + validate, {n:,} components", f"{v.wall:.2f} s, {v.rss_mb:.0f} MB", "-", None)
        a = measure(
            [*tf, "-q", "analyze", str(model), "--format", "json", "-o", str(out / f"{n}.json")],
            runs,
        )
        analyze_times[n] = a.wall
        target_ok = (a.wall <= 3.0 and a.rss_mb <= 600) if n == 10000 else None
        row(
            f"analyze + JSON output, {n:,} components",
            f"{a.wall:.2f} s, {a.rss_mb:.0f} MB",
            "<= 3 s, 600 MB" if n == 10000 else "-",
            target_ok,
        )
        if has_paths:
            p = measure([*tf, "-q", "paths", str(model), "--format", "json"], runs)
            row(
                f"attack paths, {n:,} components",
                f"{p.wall:.2f} s, {p.rss_mb:.0f} MB",
                "<= 2 s" if n == 10000 else "-",
                p.wall <= 2.0 if n == 10000 else None,
                "" if p.code == 0 else f"exit {p.code}",
            )
        if has_report and n <= 1000:
            r = measure([*tf, "-q", "report", str(model), "-o", str(out / f"{n}.html")], runs)
            row(
                f"HTML report, {n:,} components",
                f"{r.wall:.2f} s, {r.rss_mb:.0f} MB",
                "<= 5 s" if n == 1000 else "-",
                r.wall <= 5.0 if n == 1000 else None,
                "" if r.code == 0 else f"exit {r.code}",
            )
        if use_pytm and n == pytm_size:
            _, pytm_file = generate(n, True)
            if pytm_file is None:  # pragma: no cover - generate() made it
                continue
            pm = measure([sys.executable, str(pytm_file)], 1, timeout=900)
            ratio = pm.wall / a.wall
            row(
                f"OWASP pytm on the same topology, {n:,}",
                f"{pm.wall:.1f} s, {pm.rss_mb:.0f} MB",
                "-",
                None,
            )
            row(
                f"speed-up over pytm at {n:,} components",
                f"{ratio:.0f}x",
                ">= 30x" if n == 5000 else "-",
                ratio >= 30 if n == 5000 else None,
            )
    if 1000 in analyze_times and 10000 in analyze_times:
        k = exponent((1000, analyze_times[1000]), (10000, analyze_times[10000]))
        row("growth exponent of analyze, 1k -> 10k", f"{k:.2f}", "<= 1.15", k <= 1.15)
    if has_check:
        c = measure([*tf, "-q", "check", str(EXAMPLE)], max(runs, 3))
        row(
            "check on examples/card-checkout",
            f"{c.wall:.2f} s, {c.rss_mb:.0f} MB",
            "<= 0.5 s",
            c.wall <= 0.5,
        )
    if not use_pytm:
        print("(pytm is not installed: `make bench` installs it into .venv for the comparison)")

    if not args.no_write and not quick:
        write_readme(rows, runs)
    return 0


def write_readme(rows: list[tuple[str, str, str, str, str]], runs: int) -> None:
    readme = BENCH / "README.md"
    text = (
        readme.read_text(encoding="utf-8")
        if readme.exists()
        else f"# Benchmarks\n\n{START}\n{END}\n"
    )
    table = [
        f"Latest full run: {time.strftime('%Y-%m-%d')}, {platform.python_implementation()} "
        f"{platform.python_version()}, {os.cpu_count()} cores, median of {runs} runs, "
        "whole processes.",
        "",
        "| figure | measured | target | verdict |",
        "|---|---|---|---|",
    ]
    table += [
        f"| {f} | {v} | {t} | {verdict}{(' ' + note) if note else ''} |"
        for f, v, t, verdict, note in rows
    ]
    block = "\n".join(table)
    if START in text and END in text:
        head, rest = text.split(START, 1)
        _, tail = rest.split(END, 1)
        text = f"{head}{START}\n{block}\n{END}{tail}"
    else:
        text += f"\n{START}\n{block}\n{END}\n"
    readme.write_text(text, encoding="utf-8")
    print(f"wrote {readme}")


if __name__ == "__main__":
    raise SystemExit(main())
