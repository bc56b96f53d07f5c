"""Pausing the cyclic garbage collector around allocation-heavy, cycle-free work."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

__all__ = ["collector_off", "collector_paused", "keep_until_exit"]

_kept_until_exit = False
"""Whether :func:`keep_until_exit` froze this process's objects (a one-shot command)."""


def keep_until_exit() -> None:
    """Move every object alive now out of all later collections, for a short-lived process.

    A command keeps its model and results until it exits; walking them again each time the
    collector runs costs more than the work that triggers it. Only for processes that end
    soon: the frozen objects are never collected.
    """
    global _kept_until_exit
    _kept_until_exit = True
    gc.freeze()


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Run the block with the cyclic collector off, then hand back to it cheaply.

    Loading a model, running the rules and searching attack paths each allocate hundreds of
    thousands of short-lived, acyclic objects that reference counting frees at once; with the
    collector on, every allocation burst makes it walk the whole model again (a fifth to a third
    of the run on a 10,000-component model). Nothing here creates reference cycles, so nothing
    waits for the collector; what a plugin leaves is collected as usual afterwards.

    The objects that outlive the block are then moved to the oldest generation (``gc.freeze()``
    then ``gc.unfreeze()``) instead of being walked by three collections in a row as soon as the
    collector is back; skipped when the caller has frozen objects of its own (a pre-fork server),
    which must stay frozen; in a process that called :func:`keep_until_exit` they are frozen
    for good. A collector that was already off is left alone, so nested pauses cost nothing.
    """
    if not gc.isenabled():
        yield
        return
    # gc.get_freeze_count() walks every frozen object (tens of milliseconds for a large model):
    # a process that froze with keep_until_exit() is known to have frozen objects.
    promote = not _kept_until_exit and gc.get_freeze_count() == 0
    gc.disable()
    try:
        yield
    finally:
        if promote:
            gc.freeze()
            gc.unfreeze()
        elif _kept_until_exit:
            # A one-shot command keeps what outlives the block until it exits anyway: freeze it
            # too, or the next allocation makes the collector walk all of it (0.1 s after the
            # rules on a 10,000-component model).
            gc.freeze()
        gc.enable()


@contextlib.contextmanager
def collector_off() -> Iterator[None]:
    """Run the block with the cyclic collector off; for work whose allocations die with it.

    Rendering a large output allocates lists and dicts that are garbage by the end of the
    block; all that outlives it is text, which the collector does not track. Pausing without
    :func:`collector_paused`'s promotion avoids its one cost that grows with the heap
    (``gc.get_freeze_count()`` walks every frozen object).
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
