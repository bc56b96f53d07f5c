"""Run independent shares of CPU-bound work in forked worker processes.

A short command (``threatforge analyze``) on a large model spends its time in pure-Python rules
over a model that is already loaded. Threads cannot run Python in parallel, and a process pool
would have to send the model to every worker; ``fork`` gives each worker the loaded model for
free (copy-on-write). Each worker computes its share, *encodes* the result to bytes (JSON: no
pickle crosses the pipe) and writes it to a pipe; the parent computes the first share itself
meanwhile and decodes the others.

Anything that goes wrong in a worker (an exception, a crash, a signal) is not lost work: the parent
computes that share itself, so the result is always the same as :func:`map_sequential`'s. Forking
is skipped where it is unsafe or unavailable: no ``os.fork`` (Windows), or more than one thread
alive (a forked copy of a multi-threaded process may deadlock on a lock another thread held).
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from collections.abc import Callable, Sequence
from typing import TypeVar

__all__ = ["can_fork", "fork_map", "map_sequential"]

_Share = TypeVar("_Share")
_Result = TypeVar("_Result")

_CHUNK = 1 << 20


def can_fork() -> bool:
    """Whether :func:`fork_map` would use worker processes here."""
    return hasattr(os, "fork") and threading.active_count() == 1


def map_sequential(
    func: Callable[[_Share], _Result], shares: Sequence[_Share]
) -> list[_Result]:
    """``func`` over every share in this process, in order."""
    return [func(share) for share in shares]


def fork_map(
    func: Callable[[_Share], _Result],
    shares: Sequence[_Share],
    encode: Callable[[_Result], bytes],
    decode: Callable[[bytes], _Result],
) -> list[_Result]:
    """``[func(s) for s in shares]``, the shares after the first computed in forked workers.

    ``decode(encode(r))`` must give back a result equal to ``r``. A worker that fails is
    replaced by computing its share here; an exception from ``func`` in this process propagates
    (after the workers are stopped).
    """
    if len(shares) < 2 or not can_fork():
        return map_sequential(func, shares)
    workers: list[_Worker | None] = []
    try:
        for share in shares[1:]:
            workers.append(_start(func, share, encode))
        results = [func(shares[0])]
        for share, worker in zip(shares[1:], workers, strict=True):
            payload = worker.collect() if worker is not None else None
            results.append(func(share) if payload is None else decode(payload))
        return results
    finally:
        for worker in workers:
            if worker is not None:
                worker.stop()


class _Worker:
    """A forked worker: its pid and the read end of its pipe."""

    def __init__(self, pid: int, read_end: int) -> None:
        self.pid = pid
        self.read_end: int | None = read_end
        self.reaped = False

    def collect(self) -> bytes | None:
        """The worker's payload, or None when it did not finish cleanly."""
        if self.read_end is None:
            return None
        chunks: list[bytes] = []
        try:
            while chunk := os.read(self.read_end, _CHUNK):
                chunks.append(chunk)
        except OSError:
            return None
        _, status = os.waitpid(self.pid, 0)
        self.reaped = True
        if not os.WIFEXITED(status) or os.WEXITSTATUS(status) != 0:
            return None
        return b"".join(chunks)

    def stop(self) -> None:
        """Close the pipe and reap the worker, killing it first if it is still running."""
        if self.read_end is not None:
            with contextlib.suppress(OSError):
                os.close(self.read_end)
            self.read_end = None
        if not self.reaped:
            with contextlib.suppress(OSError):
                os.kill(self.pid, signal.SIGKILL)
            with contextlib.suppress(OSError):
                os.waitpid(self.pid, 0)
            self.reaped = True


def _start(
    func: Callable[[_Share], _Result], share: _Share, encode: Callable[[_Result], bytes]
) -> _Worker | None:
    """Fork a worker for one share, or None when the fork failed."""
    try:
        read_end, write_end = os.pipe()
    except OSError:
        return None
    try:
        pid = os.fork()
    except OSError:
        os.close(read_end)
        os.close(write_end)
        return None
    if pid == 0:  # pragma: no cover - runs in the worker; its result is checked by the parent
        status = 1
        try:
            os.close(read_end)
            payload = encode(func(share))
            view = memoryview(payload)
            while view:
                written = os.write(write_end, view[:_CHUNK])
                view = view[written:]
            status = 0
        finally:
            # Never return into the caller's stack: no atexit handlers, no buffered output of
            # the parent flushed twice, no cleanup of objects the parent still owns.
            os._exit(status)
    os.close(write_end)
    return _Worker(pid, read_end)
