"""Run threatforge on hostile input within bounds: a deadline in-process, time and memory in a
child process.

The bounds are safety limits required by the hardening issue, not performance targets: an input
that trips them is a denial-of-service bug (a hang, an alias bomb that got through).
"""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

import pytest

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "corpus"
THREATFORGE = Path(sys.executable).parent / "threatforge"

IN_PROCESS_SECONDS = 5.0
"""The most one corpus file may take in-process (they take milliseconds; merge bombs ~1 s)."""
CLI_SECONDS = 10.0
"""The most one ``threatforge`` run on a corpus file may take, start-up included."""
CLI_PEAK_RSS_MIB = 512
"""The most memory (peak resident set) one ``threatforge`` run on a corpus file may use."""
ADDRESS_SPACE_BYTES = 2 * 1024**3
"""A hard ceiling (RLIMIT_AS) on the child, so a regression fails the test, not the machine."""


class DeadlineExceeded(Exception):
    """An in-process call ran past its deadline (raised from the SIGALRM handler)."""


@contextmanager
def deadline(seconds: float, what: str) -> Iterator[None]:
    """Interrupt the body after ``seconds`` (SIGALRM); restore pytest-timeout's timer after."""

    def expired(signum: int, frame: FrameType | None) -> None:
        raise DeadlineExceeded(f"{what} took longer than {seconds} s")

    previous_handler = signal.signal(signal.SIGALRM, expired)
    previous_delay, previous_interval = signal.setitimer(signal.ITIMER_REAL, seconds)
    started = time.monotonic()
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous_handler)
        if previous_delay:  # pytest-timeout's own alarm, minus the time spent here
            remaining = max(previous_delay - (time.monotonic() - started), 0.001)
            signal.setitimer(signal.ITIMER_REAL, remaining, previous_interval)


@dataclass(frozen=True)
class Run:
    """What one bounded ``threatforge`` run did."""

    code: int
    stdout: str
    stderr: str
    peak_rss_mib: float


def _limit_address_space() -> None:  # runs in the child, before exec
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE_BYTES, ADDRESS_SPACE_BYTES))


def run_threatforge(args: list[str], cwd: Path, timeout: float = CLI_SECONDS) -> Run:
    """Run the installed ``threatforge`` CLI; kill it and fail the test after ``timeout``.

    The child is reaped with ``os.wait4`` to read its own peak RSS (``ru_maxrss``).
    """
    env = {**os.environ, "NO_COLOR": "1", "PYTHONDONTWRITEBYTECODE": "1"}
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        child = subprocess.Popen(
            [str(THREATFORGE), "--no-color", *args],
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
            env=env,
            preexec_fn=_limit_address_space,  # the parent has no threads: fork-safe
        )
        give_up = time.monotonic() + timeout
        while True:
            pid, status, usage = os.wait4(child.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > give_up:
                child.kill()
                os.wait4(child.pid, 0)
                child.returncode = -signal.SIGKILL
                pytest.fail(f"threatforge {' '.join(args)} ran longer than {timeout} s: killed")
            time.sleep(0.01)
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Run(
            code=child.returncode,
            stdout=out.read().decode("utf-8", "replace"),
            stderr=err.read().decode("utf-8", "replace"),
            peak_rss_mib=usage.ru_maxrss / 1024,  # KiB on Linux
        )


def assert_clean_exit(
    run: Run, expected_code: int, args: list[str], *, peak_mib: int = CLI_PEAK_RSS_MIB
) -> None:
    """The exit code, no traceback anywhere, and memory within ``peak_mib``."""
    shown = f"threatforge {' '.join(args)}\n--- stderr ---\n{run.stderr[-3000:]}"
    assert "Traceback" not in run.stderr + run.stdout, shown
    assert run.code == expected_code, shown
    assert run.peak_rss_mib < peak_mib, f"{run.peak_rss_mib:.0f} MiB: {shown}"
