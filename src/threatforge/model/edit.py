"""Edit a person's model file and keep their comments: canonical formatting, fixes, decisions.

Edits go through ruamel.yaml's round-trip mode (it keeps comments, quoting and block scalars),
never through string surgery. ruamel only *writes* here: every edited text is read back with the
project's one reader (:func:`threatforge.model.loader.load_file_text`) and compared with what
the edit meant before the file is replaced (atomically, see
:func:`threatforge.model.writer.replace_file`).

Comments belong to the line they sit on: a full-line comment (and a blank line) to the key or
list item below it, an end-of-line comment to the key on its line. ruamel stores a comment with
the value *before* it, so before keys move, every comment is detached and then attached again to
its owner, wherever the owner ends up (docs/fmt.md).
"""

from __future__ import annotations

import io
import os
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedBase, CommentedMap, CommentedSeq
from ruamel.yaml.error import CommentMark
from ruamel.yaml.scalarstring import DoubleQuotedScalarString
from ruamel.yaml.tokens import (
    CommentToken,
    FlowMappingEndToken,
    FlowMappingStartToken,
    FlowSequenceEndToken,
    FlowSequenceStartToken,
)

from threatforge.model._model import Model
from threatforge.model.canonical import (
    ELEMENT_KEY_ORDER,
    SECTION_ORDER,
    element_fields,
    model_differences,
    normalized,
)
from threatforge.model.diagnostics import Diagnostic, Level, Location, ModelError
from threatforge.model.loader import load_file_text
from threatforge.model.schema import EVERY_ELEMENT, ModelFile, System, TrackingEntry
from threatforge.model.writer import replace_file, yaml_scalar

__all__ = [
    "MITIGATES_ENTRY",
    "REWRITES",
    "TRACKING_KEY",
    "Fix",
    "Rewrite",
    "find_fixes",
    "format_text",
    "mitigates_fixes",
    "read_model_text",
    "set_decision",
    "tracking_key_fixes",
]

MAX_FILE_BYTES = 16 * 1024 * 1024
_MAPPING_SECTIONS = (
    "data",
    "boundaries",
    "components",
    "controls",
    "assumptions",
    "threats",
    "tracking",
)


# --- fixes: a registry of named rewrites -------------------------------------------------------


@dataclass(frozen=True)
class Fix:
    """One rewrite to apply to one element of one file."""

    rewrite: str
    file: str
    section: str
    element_id: str
    message: str
    """What the rewrite writes, e.g. ``control 'c1': status: implemented``."""
    location: Location
    new_key: str | None = None
    """For :data:`TRACKING_KEY`: the key ``element_id`` becomes (the entry itself stays)."""
    renames: tuple[str, str] | None = None
    """For :data:`MITIGATES_ENTRY`: (the former fingerprint, the new one) in the control's
    ``mitigates:`` list."""


@dataclass(frozen=True)
class Rewrite:
    """A named rewrite for ``fmt --fix``: what finds the places, and the edit for each place.

    ``detect`` looks at the loaded model and returns one :class:`Fix` per place to change;
    ``apply`` edits that element's mapping in the file's round-trip tree. A rewrite must keep
    the model's meaning (``fmt`` checks that the file reads back as an equal model).
    """

    name: str
    summary: str
    detect: Callable[[Model], list[Fix]]
    apply: Callable[[CommentedMap], None]


def _control_fixes(model: Model, name: str, wanted: Callable[[Any], str | None]) -> list[Fix]:
    fixes = []
    for control in model.controls.values():
        message = wanted(control)
        if message is not None and control.location is not None:
            location = control.location
            fixes.append(Fix(name, location.file, "controls", control.id, message, location))
    return fixes


def _detect_status(model: Model) -> list[Fix]:
    return _control_fixes(
        model,
        "control-status",
        lambda c: (
            f"control '{c.id}': status: implemented" if "status" not in c.model_fields_set else None
        ),
    )


def _apply_status(body: CommentedMap) -> None:
    body["status"] = "implemented"


def _detect_applies_to(model: Model) -> list[Fix]:
    return _control_fixes(
        model,
        "control-applies-to",
        lambda c: f"control '{c.id}': applies_to: [\"*\"]" if not c.applies_to else None,
    )


def _apply_applies_to(body: CommentedMap) -> None:
    targets = CommentedSeq([DoubleQuotedScalarString(EVERY_ELEMENT)])
    targets.fa.set_flow_style()
    body["applies_to"] = targets


REWRITES: tuple[Rewrite, ...] = (
    Rewrite(
        "control-status",
        "a control without 'status' gets 'status: implemented' (today's meaning)",
        _detect_status,
        _apply_status,
    ),
    Rewrite(
        "control-applies-to",
        "a control without 'applies_to' (or with an empty one) gets 'applies_to: [\"*\"]' "
        "(today's meaning: every element)",
        _detect_applies_to,
        _apply_applies_to,
    ),
)
"""Every rewrite ``fmt --fix`` knows, applied in this order. Add new ones here."""


def find_fixes(model: Model, rewrites: Sequence[Rewrite] = REWRITES) -> list[Fix]:
    """Every place in the model's files that a rewrite would change, in rewrite order."""
    return [fix for rewrite in rewrites for fix in rewrite.detect(model)]


TRACKING_KEY = "tracking-key"
"""The rewrite that moves a tracking decision to the new fingerprint of its finding, after a
rule regrouped its findings (``attack-path``: one per weak hop). What moved is known only once
the rules ran: the caller passes it to :func:`tracking_key_fixes`."""


def tracking_key_fixes(model: Model, moved: Mapping[str, str]) -> tuple[list[Fix], list[str]]:
    """The renames of tracking keys that ``moved`` (former fingerprint -> the new one) names,
    and, in words, the moves that cannot be made without a person choosing.

    A key moves when its new fingerprint has no entry yet and no other key moves there: two
    decisions on one finding (an accepted risk on one crown jewel, a mitigation on another)
    are for a person to merge, so both stay where they are and the note says so.
    """
    wanted: dict[str, list[str]] = {}
    for old in sorted(moved):
        if old in model.tracking and moved[old] != old:
            wanted.setdefault(moved[old], []).append(old)
    fixes: list[Fix] = []
    notes: list[str] = []
    for new, olds in wanted.items():
        if new in model.tracking:
            notes.extend(
                f"tracking entry '{old}' moves to '{new}', which has a decision already: merge "
                "them by hand" for old in olds
            )
            continue
        if len(olds) > 1:
            listed = ", ".join(f"'{old}'" for old in olds)
            notes.append(
                f"tracking entries {listed} all move to '{new}': keep one decision there by hand"
            )
            continue
        old = olds[0]
        location = model.tracking[old].location
        if location is None:
            continue
        fixes.append(Fix(
            TRACKING_KEY, location.file, "tracking", old,
            f"tracking '{old}' -> '{new}' (the finding's new fingerprint)", location, new,
        ))
    return fixes, notes


MITIGATES_ENTRY = "mitigates-entry"
"""The rewrite that moves a control's ``mitigates:`` entry of a former fingerprint to the new
one (a regrouped result, or a fingerprint change the rules changelog records)."""


def mitigates_fixes(model: Model, moved: Mapping[str, str]) -> tuple[list[Fix], list[str]]:
    """The ``mitigates:`` entries that ``moved`` (former fingerprint -> the new one) renames,
    and, in words, those a person must merge (the control names the new fingerprint already,
    or two of its entries move to one)."""
    fixes: list[Fix] = []
    notes: list[str] = []
    for control in sorted(model.controls.values(), key=lambda c: c.id):
        entries = list(dict.fromkeys(control.mitigates))
        targets = Counter(moved[e] for e in entries if e in moved and moved[e] != e)
        for old in entries:
            new = moved.get(old)
            if new is None or new == old or control.location is None:
                continue
            if new in entries or targets[new] > 1:
                notes.append(
                    f"control '{control.id}' mitigates '{old}', which moves to '{new}': it "
                    "would name it twice; keep one entry by hand"
                )
                continue
            fixes.append(Fix(
                MITIGATES_ENTRY, control.location.file, "controls", control.id,
                f"control '{control.id}': mitigates '{old}' -> '{new}' (the finding's new "
                "fingerprint)", control.location, renames=(old, new),
            ))
    return fixes, notes


# --- reading and writing round-trip trees ---------------------------------------------------


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 2**31 - 1  # never fold a line (a long flow list stays on its line)
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.allow_duplicate_keys = False
    return yaml


def _load(text: str) -> CommentedMap:
    tree = _yaml().load(text)
    if not isinstance(tree, CommentedMap):
        raise TypeError("a model file holds one mapping")  # the reader has checked this already
    return tree


def _dump(tree: CommentedMap) -> str:
    out = io.StringIO()
    _yaml().dump(tree, out)
    return out.getvalue()


def read_model_text(path: str) -> str:
    """The text of one model file (UTF-8, at most 16 MB)."""
    with open(path, "rb") as handle:
        raw = handle.read(MAX_FILE_BYTES + 1)
    if len(raw) > MAX_FILE_BYTES:
        raise _error(path, f"is larger than {MAX_FILE_BYTES:,} bytes")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise _error(path, "is not UTF-8 text") from None


def _error(path: str, why: str) -> ModelError:
    return ModelError((Diagnostic(Level.ERROR, Location(path), f"{path} {why}", "edit"),))


# --- comments: detach from ruamel's places, attach to their owners ---------------------------


Owner = tuple[int, Any]
"""A key of a mapping or an index of a list: (id of the container, key or index)."""


@dataclass
class _Comments:
    before: list[str]  # full comment lines ("" for a blank line), without indentation
    eol: tuple[int, str] | None = None  # (column, text) of the comment at the end of the line


def _is_flow(node: Any) -> bool:
    return isinstance(node, CommentedBase) and bool(node.fa.flow_style())


def _starts(node: Any) -> Iterator[tuple[int, Owner]]:
    """(line, owner) of every key and list item in block style, in document order."""
    if isinstance(node, CommentedMap) and not _is_flow(node):
        for key, value in node.items():
            line, _ = node.lc.key(key)
            yield line, (id(node), key)
            yield from _starts(value)
    elif isinstance(node, CommentedSeq) and not _is_flow(node):
        for index, value in enumerate(node):
            line, _ = node.lc.item(index)
            yield line, (id(node), index)
            yield from _starts(value)


def _tokens(node: Any, seen: set[int]) -> Iterator[CommentToken]:
    if isinstance(node, CommentedBase):
        ca = node.ca
        places: list[Any] = [ca.comment, ca.end, *ca.items.values()]
        for place in places:
            yield from _flatten(place, seen)
        for child in _children(node):
            yield from _tokens(child, seen)


def _children(node: CommentedBase) -> list[Any]:
    if isinstance(node, CommentedMap):
        return list(node.values())
    if isinstance(node, CommentedSeq):
        return list(node)
    return []


def _flatten(place: Any, seen: set[int]) -> Iterator[CommentToken]:
    if isinstance(place, CommentToken):
        if id(place) not in seen:
            seen.add(id(place))
            yield place
    elif isinstance(place, list):
        for item in place:
            yield from _flatten(item, seen)


def _detach(tree: CommentedMap, text: str) -> tuple[dict[Owner, _Comments], list[str]]:
    """Every comment of ``tree`` by its owner, and the comment lines after the last owner.

    Then the tree holds no comments. Full comment lines are found in the text and confirmed by
    ruamel's tokens (a ``#`` line inside a block scalar is text, not a comment).
    """
    lines = text.split("\n")
    eol_at: dict[int, tuple[int, str]] = {}
    full: dict[str, int] = {}
    for token in _tokens(tree, set()):
        pieces = token.value.split("\n")
        line, column = token.start_mark.line, token.start_mark.column
        first = pieces[0]
        if first.startswith("#") and line < len(lines) and lines[line][:column].strip():
            eol_at[line] = (column, first.rstrip())
            pieces = pieces[1:]
        for piece in pieces:
            if piece.strip().startswith("#"):
                full[piece.strip()] = full.get(piece.strip(), 0) + 1
    starts = sorted(_starts(tree), key=lambda item: item[0])
    start_lines = {line for line, _ in starts}
    comment_lines: dict[int, str] = {}
    for number, line_text in enumerate(lines):
        stripped = line_text.strip()
        if stripped.startswith("#") and full.get(stripped, 0) > 0:
            full[stripped] -= 1
            comment_lines[number] = stripped
    owned: dict[Owner, _Comments] = {}
    trailing: list[str] = []
    pending: list[str] = []
    position = 0
    for number, line_text in enumerate(lines):
        while position < len(starts) and starts[position][0] < number:
            position += 1
        if number in comment_lines:
            pending.append(comment_lines[number])
        elif not line_text.strip() and _separates(number, lines, comment_lines, start_lines):
            if (pending and pending[-1] == "") or not (pending or number):
                continue  # one blank line where there were several; none at the very start
            pending.append("")
        if position < len(starts) and starts[position][0] == number and pending:
            owner = starts[position][1]
            owned.setdefault(owner, _Comments([])).before.extend(pending)
            pending = []
    trailing = [line for line in pending if line] if pending else []
    for line, eol in eol_at.items():
        owner_at = _owner_on(starts, line)
        if owner_at is not None:
            owned.setdefault(owner_at, _Comments([])).eol = eol
    _clear(tree)
    return owned, trailing


def _separates(
    number: int, lines: list[str], comment_lines: Mapping[int, str], start_lines: set[int]
) -> bool:
    """Whether a blank line separates keys or comments (not a blank line in a block scalar)."""
    for later in range(number + 1, len(lines)):
        if lines[later].strip():
            return later in comment_lines or later in start_lines
    return False


def _owner_on(starts: list[tuple[int, Owner]], line: int) -> Owner | None:
    """The innermost owner that starts on ``line``, else the last one before it."""
    found = None
    for start, owner in starts:
        if start > line:
            break
        found = owner
    return found


def _clear(node: Any) -> None:
    if isinstance(node, CommentedBase):
        node.ca.items.clear()
        node.ca.comment = None
        node.ca.end = []
        for child in _children(node):
            _clear(child)


def _token(text: str, column: int) -> CommentToken:
    return CommentToken(text, CommentMark(column), None)


def _attach(node: Any, owned: Mapping[Owner, _Comments], column: int) -> None:
    """Give comments back to their owners, written at the owners' new columns."""
    if _is_flow(node):
        return
    if isinstance(node, CommentedMap):
        for key, value in node.items():
            comments = owned.get((id(node), key))
            if comments is not None:
                before = [_token(f"{c}\n" if c else "\n", column) for c in comments.before]
                eol = _token(comments.eol[1] + "\n", comments.eol[0]) if comments.eol else None
                node.ca.items[key] = [None, before or None, eol, None]
            _attach(value, owned, column + 2)
    elif isinstance(node, CommentedSeq):
        for index, value in enumerate(node):
            comments = owned.get((id(node), index))
            if comments is not None:
                before = [_token(f"{c}\n" if c else "\n", column) for c in comments.before]
                eol = _token(comments.eol[1] + "\n", comments.eol[0]) if comments.eol else None
                node.ca.items[index] = [eol, before or None, None, None]
            _attach(value, owned, column + 2)


def _attach_trailing(tree: CommentedMap, trailing: list[str]) -> None:
    """Comment lines after the last key: ruamel keeps them after the last value written."""
    if not trailing:
        return
    node: Any = tree
    last: tuple[Any, Any] | None = None
    while isinstance(node, CommentedMap | CommentedSeq) and node and not _is_flow(node):
        index = list(node)[-1] if isinstance(node, CommentedMap) else len(node) - 1
        last = (node, index)
        node = node[index]
    if last is None:
        return
    container, index = last
    place = 2 if isinstance(container, CommentedMap) else 0
    slots = container.ca.items.setdefault(index, [None, None, None, None])
    eol = slots[place]
    head = eol.value.rstrip("\n") if eol is not None else ""
    column = eol.start_mark.column if eol is not None else 0
    lines = "".join(f"{line}\n" for line in trailing)
    slots[place] = _token(f"{head}\n{lines}", column)


# --- comments kept: refuse what cannot be kept, check that nothing was lost --------------------


@dataclass(frozen=True)
class _Comment:
    text: str
    line: int  # from 0
    column: int
    in_flow: bool  # inside a flow collection ({...} or [...]) that ruamel rewrites on one line


def _comments_of(text: str) -> list[_Comment]:
    """Every comment line of a YAML text as ruamel's scanner sees it, and where it starts."""
    opened: list[tuple[int, int]] = []
    spans: list[tuple[tuple[int, int], tuple[int, int]]] = []
    found: list[CommentToken] = []
    seen: set[int] = set()
    for token in _yaml().scan(text):
        found.extend(_flatten(getattr(token, "comment", None), seen))
        mark = (token.start_mark.line, token.start_mark.column)
        if isinstance(token, FlowMappingStartToken | FlowSequenceStartToken):
            opened.append(mark)
        elif isinstance(token, FlowMappingEndToken | FlowSequenceEndToken) and opened:
            spans.append((opened.pop(), mark))
    comments = []
    for token in found:
        start = (token.start_mark.line, token.start_mark.column)
        in_flow = any(first < start < last for first, last in spans)
        for piece in token.value.split("\n"):
            if piece.strip().startswith("#"):
                comments.append(_Comment(piece.strip(), start[0], start[1], in_flow))
    return comments


def _refuse_comments_in_flow(text: str, name: str) -> None:
    """Raise :class:`ModelError` for comments inside a flow collection: ruamel drops them."""
    inside = [comment for comment in _comments_of(text) if comment.in_flow]
    if not inside:
        return
    message = (
        "a comment inside a flow collection ({...} or [...] over several lines) cannot be kept "
        "when the file is rewritten: move it to its own line above the collection, or write "
        "the collection in block style; nothing was written"
    )
    where = sorted({(c.line + 1, c.column + 1) for c in inside})
    raise ModelError(
        tuple(Diagnostic(Level.ERROR, Location(name, ln, col), message, "fmt") for ln, col in where)
    )


def _check_comments_kept(before: str, after: str, name: str) -> None:
    """Raise :class:`ModelError` when ``after`` does not hold exactly the comments of ``before``."""
    had = Counter(comment.text for comment in _comments_of(before))
    has = Counter(comment.text for comment in _comments_of(after))
    if had == has:
        return
    changed = sorted((had - has) + (has - had))
    message = f"rewriting {name} would not keep its comments exactly ({', '.join(changed[:3])}); "
    message += "nothing was written (please report this)"
    raise ModelError((Diagnostic(Level.ERROR, Location(name), message, "fmt"),))


# --- canonical formatting ------------------------------------------------------------------


def _reordered(node: CommentedMap, order: Sequence[str]) -> None:
    """Put the keys of ``node`` in ``order`` (keys not in it keep their order, at the end)."""
    rank = {key: index for index, key in enumerate(order)}
    keys = list(node.keys())
    wanted = sorted(keys, key=lambda k: (rank.get(k, len(order)), keys.index(k)))
    if wanted == keys:
        return
    values = [(key, node[key]) for key in wanted]
    for key in keys:
        del node[key]
    for key, value in values:
        node[key] = value


def _element(body: Any, section: str) -> None:
    if not isinstance(body, CommentedMap):
        return
    _reordered(body, ELEMENT_KEY_ORDER[section])
    for nested in ("encryption", "logging"):
        if section == "components" and isinstance(body.get(nested), CommentedMap):
            _reordered(body[nested], ELEMENT_KEY_ORDER[nested])


def _arrow_flow(flows: CommentedSeq, index: int, owned: dict[Owner, _Comments]) -> None:
    """Rewrite ``{from: a, to: b, ...}`` as ``{a -> b: {...}}``, comments moved along."""
    item = flows[index]
    if not isinstance(item, CommentedMap) or "from" not in item or "to" not in item:
        return
    body = CommentedMap()
    if _is_flow(item):
        body.fa.set_flow_style()
    eol: tuple[int, str] | None = None
    lost: list[str] = []
    for key, value in item.items():
        comments = owned.pop((id(item), key), None)
        if key in ("from", "to"):
            if comments is not None:
                lost.extend(comments.before)
                eol = eol or comments.eol
            continue
        body[key] = value
        if comments is not None:
            owned[(id(body), key)] = comments
    arrow = CommentedMap()
    arrow[f"{item['from']} -> {item['to']}"] = body
    flows[index] = arrow
    if lost or eol:
        owner = owned.setdefault((id(flows), index), _Comments([]))
        owner.before.extend(lost)
    if eol is not None:
        owned[(id(arrow), next(iter(arrow)))] = _Comments([], eol)


def _canonical(tree: CommentedMap, owned: dict[Owner, _Comments]) -> None:
    _reordered(tree, SECTION_ORDER)
    if isinstance(tree.get("system"), CommentedMap):
        _reordered(tree["system"], ELEMENT_KEY_ORDER["system"])
    for section in _MAPPING_SECTIONS:
        elements = tree.get(section)
        if isinstance(elements, CommentedMap):
            for body in elements.values():
                _element(body, section)
    flows = tree.get("flows")
    if isinstance(flows, CommentedSeq):
        for index in range(len(flows)):
            _arrow_flow(flows, index, owned)
            item = flows[index]
            if isinstance(item, CommentedMap) and len(item) == 1:
                _element(next(iter(item.values())), "flows")


def format_text(text: str, name: str = "threatmodel.yaml", fixes: Sequence[Fix] = ()) -> str:
    """The canonical form of one model file's text, comments kept, ``fixes`` applied.

    Raises :class:`ModelError` when the text is not a valid model file, or when the result
    would not read back as the same model (then nothing should be written).
    """
    before = load_file_text(text, name)
    _refuse_comments_in_flow(text, name)
    tree = _load(text)
    owned, trailing = _detach(tree, text)
    by_rewrite = {rewrite.name: rewrite for rewrite in REWRITES}
    renamed: dict[str, str] = {}
    mitigating: dict[str, dict[str, str]] = {}
    for fix in fixes:
        if fix.rewrite == TRACKING_KEY:
            if fix.new_key is not None and _rename_key(tree, owned, fix.element_id, fix.new_key):
                renamed[fix.element_id] = fix.new_key
            continue
        if fix.rewrite == MITIGATES_ENTRY:
            if fix.renames is not None and _rename_entry(tree, fix.element_id, *fix.renames):
                mitigating.setdefault(fix.element_id, {})[fix.renames[0]] = fix.renames[1]
            continue
        elements = tree.get(fix.section)
        body = elements.get(fix.element_id) if isinstance(elements, CommentedMap) else None
        if isinstance(elements, CommentedMap) and body is None:
            body = elements[fix.element_id] = CommentedMap()
        if isinstance(body, CommentedMap):
            by_rewrite[fix.rewrite].apply(body)
    _canonical(tree, owned)
    _attach(tree, owned, 0)
    _attach_trailing(tree, trailing)
    formatted = _dump(tree)
    after = load_file_text(formatted, name)
    if renamed:  # the one change of meaning asked for: the same decisions under the new keys
        before = before.model_copy(update={"tracking": {
            renamed.get(key, key): entry for key, entry in before.tracking.items()
        }})
    if mitigating:  # and the controls mitigate the same results under their new fingerprints
        before = before.model_copy(update={"controls": {
            key: control.model_copy(update={"mitigates": [
                mitigating.get(key, {}).get(entry, entry) for entry in control.mitigates
            ]}) for key, control in before.controls.items()
        }})
    _same_file(before, after, name)
    _check_comments_kept(text, formatted, name)
    return formatted


def _rename_entry(tree: CommentedMap, control: str, old: str, new: str) -> bool:
    """Replace ``old`` by ``new`` in the control's ``mitigates:`` list, in place."""
    controls = tree.get("controls")
    body = controls.get(control) if isinstance(controls, CommentedMap) else None
    entries = body.get("mitigates") if isinstance(body, CommentedMap) else None
    if not isinstance(entries, CommentedSeq) or new in entries:
        return False
    done = False
    for index, entry in enumerate(entries):
        if entry == old:
            entries[index] = DoubleQuotedScalarString(new)
            done = True
    return done


def _rename_key(tree: CommentedMap, owned: dict[Owner, _Comments], old: str, new: str) -> bool:
    """Rename the tracking entry ``old`` to ``new`` in place (same position, same comments)."""
    section = tree.get("tracking")
    if not isinstance(section, CommentedMap) or old not in section or new in section:
        return False
    position = list(section).index(old)
    entry = section.pop(old)
    section.insert(position, DoubleQuotedScalarString(new), entry)
    comments = owned.pop((id(section), old), None)
    if comments is not None:
        owned[(id(section), new)] = comments
    return True


def _as_model(file: ModelFile) -> Model:
    return Model(
        system=file.system or System(name="-"),
        data=file.data,
        boundaries=file.boundaries,
        components=file.components,
        flows=tuple(file.flows),
        controls=file.controls,
        assumptions=file.assumptions,
        threats=file.threats,
        tracking=file.tracking,
    )


def _same_file(before: ModelFile, after: ModelFile, name: str) -> None:
    if (
        normalized(_as_model(before)) == normalized(_as_model(after))
        and before.include == after.include
        and (before.system is None) == (after.system is None)
    ):
        return
    differences = "; ".join(model_differences(_as_model(before), _as_model(after)))
    message = f"formatting {name} would change what it means ({differences or 'include'}); "
    message += "nothing was written (please report this)"
    raise ModelError((Diagnostic(Level.ERROR, Location(name), message, "fmt"),))


# --- decisions -------------------------------------------------------------------------------


def _safe_scalar(value: Any) -> Any:
    """A value for ruamel to write that reads back (YAML 1.1) as the same value."""
    if isinstance(value, str) and yaml_scalar(value) != value:
        return DoubleQuotedScalarString(value)
    if isinstance(value, list):
        items = CommentedSeq([_safe_scalar(v) for v in value])
        items.fa.set_flow_style()
        return items
    return value


def set_decision(path: str | os.PathLike[str], fingerprint: str, entry: TrackingEntry) -> str:
    """Write ``entry`` under ``tracking:`` as the decision on ``fingerprint``; return the text.

    Only that entry changes: comments, layout and every other value of the file stay. An entry
    already there for ``fingerprint`` is replaced in place; a new one goes at the end. The
    result is read back and checked (it holds exactly this decision, nothing else changed)
    before it replaces the file atomically.
    """
    target = os.fspath(path)
    text = read_model_text(target)
    before = load_file_text(text, target)
    _refuse_comments_in_flow(text, target)
    tree = _load(text)
    tracking = tree.get("tracking")
    if not isinstance(tracking, CommentedMap):
        tracking = CommentedMap()
        tree["tracking"] = tracking
    if _is_flow(tracking):
        tracking.fa.set_block_style()
    body = CommentedMap()
    for key, value in element_fields(entry, "tracking").items():
        body[key] = _safe_scalar(value)
    tracking[DoubleQuotedScalarString(fingerprint)] = body
    written = _dump(tree)
    after = load_file_text(written, target)
    expected = dict(before.tracking)
    expected[fingerprint] = entry
    intended = before.model_copy(update={"tracking": expected})
    if normalized(_as_model(intended)) != normalized(_as_model(after)):
        raise _error(target, "would not hold the decision as written; nothing was written")
    _check_comments_kept(text, written, target)
    replace_file(target, written)
    return written
