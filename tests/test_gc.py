"""The collector pauses: what they leave enabled, promoted and frozen (run in a fresh process,
since freezing is for the life of a process)."""

from __future__ import annotations

import subprocess
import sys
import textwrap


def run(code: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True, text=True, timeout=60, check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_a_one_shot_process_freezes_what_outlives_a_pause() -> None:
    out = run("""
        import gc
        from threatforge._gc import collector_paused, keep_until_exit
        keep_until_exit()
        before = gc.get_freeze_count()
        with collector_paused():
            assert not gc.isenabled()
            kept = [[i] for i in range(10_000)]
        print(gc.isenabled(), gc.get_freeze_count() - before >= 10_000, gc.get_count()[2])
    """)
    assert out == "True True 0"


def test_an_ordinary_process_promotes_but_does_not_freeze() -> None:
    out = run("""
        import gc
        from threatforge._gc import collector_paused
        with collector_paused():
            kept = [[i] for i in range(10_000)]
        print(gc.isenabled(), gc.get_freeze_count())
    """)
    assert out == "True 0"


def test_a_collector_that_was_off_stays_off() -> None:
    out = run("""
        import gc
        from threatforge._gc import collector_off, collector_paused
        gc.disable()
        with collector_paused():
            pass
        with collector_off():
            pass
        print(gc.isenabled())
    """)
    assert out == "False"
