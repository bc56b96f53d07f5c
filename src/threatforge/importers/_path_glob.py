"""Components' ``paths:`` globs, matched in time linear in the path (no backtracking).

A translated regular expression (``[^/]*a[^/]*a...b``) backtracks: Python's ``re`` took hours
on a 182-character glob of ``a*`` against an ordinary scanner path. Here a glob is compiled to
a small nondeterministic automaton and run as a bit-parallel simulation (shift-and): every
position of the glob is one bit of an integer, and each character of the path costs a fixed
number of integer operations however many ``*`` the glob has. The glob's length is bounded
(:data:`MAX_GLOB_CHARS`), so one match is ``O(len(path))``.

Semantics (those of the translated expressions this replaces):

- ``**/`` any run of folders, including none (``**/Dockerfile`` matches ``Dockerfile``);
- ``**`` any run of characters, ``/`` included (``services/pay**`` matches below ``payments``);
- ``*`` any run of characters within one folder, ``?`` one character other than ``/``;
- every other character stands for itself (``[`` too: there are no character classes);
- a glob without ``*`` or ``?`` also claims everything below it (``infra/orders`` matches
  ``infra/orders/main.tf``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

__all__ = ["MAX_GLOB_CHARS", "GlobTooLong", "PathGlob", "compile_glob"]

MAX_GLOB_CHARS = 300
"""The longest glob (the model's ``paths:`` entries are at most 300 characters already): with
it, a glob is at most ~900 automaton states, one integer of ~900 bits."""

_LITERAL, _ONE, _STAR, _ANY, _JUMP = range(5)
"""Token kinds: a character; ``?``; ``*`` (``[^/]*``); ``**`` (``.*``); and a state that reads
nothing and may skip the next two tokens (an optional group such as ``(?:.*/)?``)."""


class GlobTooLong(ValueError):
    """A glob longer than :data:`MAX_GLOB_CHARS`."""


@dataclass(frozen=True, slots=True)
class PathGlob:
    """A compiled glob: bit ``i`` of a state set means "the first ``i`` tokens matched"."""

    text: str
    literals: dict[str, int]
    """For each literal character, the bits of the tokens that read it."""
    one: int
    star: int
    anything: int
    jump: int
    start: int
    accept: int
    chunks: tuple[str, ...]
    """Runs of literal characters that every matching path contains (a cheap first test)."""

    def match(self, path: str) -> bool:
        """Whether the whole of ``path`` matches."""
        return self._run(path, restart=False)

    def match_from_any_folder(self, path: str) -> bool:
        """Whether ``path`` or any suffix of it that starts after a ``/`` matches.

        For an absolute path, whose repository root is somewhere above: one pass instead of one
        match per suffix (a path of ``n`` folders would otherwise cost ``n`` passes).
        """
        return self._run(path, restart=True)

    def _run(self, path: str, *, restart: bool) -> bool:
        for chunk in self.chunks:
            if chunk not in path:
                return False
        literals = self.literals
        one, star, anything, jump = self.one, self.star, self.anything, self.jump
        start = self.start
        step = star | anything | jump
        state = start
        for char in path:
            if char == "/":
                advance = literals.get(char, 0)
                stay = anything
            else:
                advance = literals.get(char, 0) | one
                stay = star | anything
            state = ((state & advance) << 1) | (state & stay)
            # the states reachable without reading (a '*' that matched nothing, a skipped group)
            while True:
                closed = state | ((state & step) << 1) | ((state & jump) << 3)
                if closed == state:
                    break
                state = closed
            if restart:
                if char == "/":
                    state |= start
            elif not state:
                return False
        return bool(state & self.accept)


def compile_glob(glob: str) -> PathGlob:
    """Compile a glob (see the module docstring); raise :class:`GlobTooLong` past the bound."""
    if len(glob) > MAX_GLOB_CHARS:
        raise GlobTooLong(
            f"glob of {len(glob)} characters is longer than {MAX_GLOB_CHARS}: "
            "name a folder (services/payments/**) instead"
        )
    return _compiled(glob)


@lru_cache(maxsize=1024)
def _compiled(glob: str) -> PathGlob:
    tokens: list[tuple[int, str]] = []
    chunks: list[str] = []
    chunk: list[str] = []

    def wildcard(*kinds: int) -> None:
        if chunk:
            chunks.append("".join(chunk))
            chunk.clear()
        tokens.extend((kind, "") for kind in kinds)

    i = 0
    while i < len(glob):
        if glob.startswith("**/", i):
            if tokens[-3:] != [(_JUMP, ""), (_ANY, ""), (_LITERAL, "/")]:
                wildcard(_JUMP, _ANY)  # (?:.*/)? : skip to after the '/', or run up to one
                tokens.append((_LITERAL, "/"))
            i += 3
        elif glob.startswith("**", i):
            wildcard(_ANY)
            i += 2
        elif glob[i] == "*":
            wildcard(_STAR)
            i += 1
        elif glob[i] == "?":
            wildcard(_ONE)
            i += 1
        else:
            chunk.append(glob[i])
            tokens.append((_LITERAL, glob[i]))
            i += 1
    if chunk:
        chunks.append("".join(chunk))
    if "*" not in glob and "?" not in glob:
        # (?:/.*)? : the glob names a file or a folder and everything below it
        tokens.extend(((_JUMP, ""), (_LITERAL, "/"), (_ANY, "")))
    literals: dict[str, int] = {}
    masks = dict.fromkeys((_ONE, _STAR, _ANY, _JUMP), 0)
    for position, (kind, char) in enumerate(tokens):
        if kind == _LITERAL:
            literals[char] = literals.get(char, 0) | 1 << position
        else:
            masks[kind] |= 1 << position
    step = masks[_STAR] | masks[_ANY] | masks[_JUMP]
    start = 1
    while True:
        closed = start | ((start & step) << 1) | ((start & masks[_JUMP]) << 3)
        if closed == start:
            break
        start = closed
    return PathGlob(
        text=glob,
        literals=literals,
        one=masks[_ONE],
        star=masks[_STAR],
        anything=masks[_ANY],
        jump=masks[_JUMP],
        start=start,
        accept=1 << len(tokens),
        chunks=tuple(dict.fromkeys(chunks)),
    )
