"""fork_map: the same results as a plain map, whatever happens in the workers."""

from __future__ import annotations

import json
import os
import threading

import pytest

from threatforge._fork import can_fork, fork_map

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="POSIX only")


def _encode(value: list[int]) -> bytes:
    return json.dumps(value).encode()


def _decode(payload: bytes) -> list[int]:
    result: list[int] = json.loads(payload)
    return result


def _pids_and_squares(share: list[int]) -> tuple[int, list[int]]:
    return os.getpid(), [n * n for n in share]


def _decode_pair(payload: bytes) -> tuple[int, list[int]]:
    pid, squares = json.loads(payload)
    return pid, squares


def test_results_in_order_and_computed_in_workers() -> None:
    shares = [[1, 2], [3], [4, 5, 6], []]
    seen = fork_map(
        _pids_and_squares,
        shares,
        lambda r: json.dumps(r).encode(),
        _decode_pair,
    )
    assert [squares for _, squares in seen] == [[1, 4], [9], [16, 25, 36], []]
    pids = [pid for pid, _ in seen]
    assert pids[0] == os.getpid()
    assert len(set(pids)) == 4  # three workers besides this process


def test_large_payloads_cross_the_pipe_whole() -> None:
    shares = [list(range(10)), list(range(300_000))]
    assert fork_map(lambda s: [n + 1 for n in s], shares, _encode, _decode) == [
        [n + 1 for n in s] for s in shares
    ]


def test_a_failing_worker_is_replaced_by_the_parent() -> None:
    parent = os.getpid()

    def fails_in_workers(share: list[int]) -> list[int]:
        if os.getpid() != parent:
            raise RuntimeError("worker broke")
        return [n * 2 for n in share]

    assert fork_map(fails_in_workers, [[1], [2], [3]], _encode, _decode) == [[2], [4], [6]]


def test_a_worker_killed_by_a_signal_is_replaced_by_the_parent() -> None:
    parent = os.getpid()

    def dies_in_workers(share: list[int]) -> list[int]:
        if os.getpid() != parent:
            os.kill(os.getpid(), 9)
        return share

    assert fork_map(dies_in_workers, [[1], [2]], _encode, _decode) == [[1], [2]]


def test_undecodable_payload_is_an_error_not_a_wrong_result() -> None:
    with pytest.raises(json.JSONDecodeError):
        fork_map(lambda s: s, [[1], [2]], lambda r: b"not json", _decode)


def test_an_error_in_the_parent_share_propagates_and_reaps_the_workers() -> None:
    parent = os.getpid()

    def fails_here(share: list[int]) -> list[int]:
        if os.getpid() == parent:
            raise ValueError("parent share broke")
        return share

    with pytest.raises(ValueError, match="parent share broke"):
        fork_map(fails_here, [[1], [2], [3]], _encode, _decode)
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)  # no worker left behind, not even a zombie


def test_sequential_with_other_threads_alive() -> None:
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert not can_fork()
        seen = fork_map(_pids_and_squares, [[1], [2]], lambda r: b"", lambda b: (0, []))
    finally:
        stop.set()
        thread.join()
    assert seen == [(os.getpid(), [1]), (os.getpid(), [4])]


def test_single_share_runs_here(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_fork() -> int:
        raise AssertionError("forked for a single share")

    monkeypatch.setattr(os, "fork", no_fork)
    assert fork_map(lambda s: s, [[7]], _encode, _decode) == [[7]]


def test_fork_failure_falls_back_to_the_parent(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse() -> int:
        raise OSError("no more processes")

    monkeypatch.setattr(os, "fork", refuse)
    assert fork_map(lambda s: [n + 1 for n in s], [[1], [2]], _encode, _decode) == [[2], [3]]
