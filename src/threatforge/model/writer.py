"""Write a :class:`Model` as readable YAML, and replace a model file safely.

The writer only emits text; it never parses. :func:`save_model` reads what it wrote back with the
project's one reader (:func:`threatforge.model.load_text`), compares it with the model it meant
to write (:func:`threatforge.model.canonical.models_equal`), and only then replaces the file,
atomically (a temporary file in the same folder, then ``os.replace``), refusing a target that is
a symlink.

The layout is the canonical one (docs/fmt.md): sections and keys in canonical order, one element
per block, each field on its own line, lists and nested mappings on one line (``[a, b]``,
``{at_rest: kms}``), flows in the arrow form ``- source -> target:``.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Mapping
from typing import Any

import yaml

from threatforge.model._model import Model
from threatforge.model.canonical import document, model_differences, models_equal
from threatforge.model.diagnostics import Diagnostic, Level, Location, ModelError

__all__ = [
    "canonical_text",
    "replace_file",
    "save_model",
    "write_model",
    "yaml_document",
    "yaml_scalar",
]

_INDENT = "  "


class _Dumper(yaml.SafeDumper):
    """PyYAML's safe emitter (YAML 1.1, as the reader resolves), strings quoted when needed."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    # anything a reader could take for a line break or that is not printable goes in double
    # quotes, escaped: PyYAML would otherwise write U+2028 raw inside single quotes
    style = '"' if any(_needs_escape(ch) for ch in value) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _needs_escape(ch: str) -> bool:
    code = ord(ch)
    return (
        code < 0x20
        or 0x7F <= code <= 0xA0
        or code in (0x2028, 0x2029, 0xFEFF, 0xFFFE, 0xFFFF)
        or 0xD800 <= code <= 0xDFFF
        or 0x202A <= code <= 0x202E  # bidi embeddings and overrides
        or 0x2066 <= code <= 0x2069  # bidi isolates
    )


_Dumper.add_representer(str, _represent_str)


def yaml_scalar(value: Any) -> str:
    """One value as YAML text on one line: a scalar, or a list or mapping in flow style."""
    text = _dumped(value, allow_unicode=True)
    if any(_needs_escape(ch) for ch in text if ch != "\n"):
        # PyYAML writes printable characters raw even in double quotes: bidi controls must
        # not reach a reviewer's screen, so this value is written with every non-ASCII escaped
        text = _dumped(value, allow_unicode=False)
    if text.endswith("\n...\n"):  # a plain scalar as a whole document: drop the end marker
        text = text[: -len("\n...\n")]
    return text.rstrip("\n")


class _BlockDumper(_Dumper):
    """The same emitter in block style, lists indented under their key."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def yaml_document(value: Any, *, width: int = 100) -> str:
    """A whole document (another tool's file: ``export threagile``) as block-style YAML, keys
    in their order, strings quoted and escaped as :func:`yaml_scalar` does."""
    text = yaml.dump(value, Dumper=_BlockDumper, sort_keys=False, allow_unicode=True, width=width)
    if any(_needs_escape(ch) for ch in text if ch != "\n"):
        text = yaml.dump(
            value, Dumper=_BlockDumper, sort_keys=False, allow_unicode=False, width=width
        )
    return text


def _dumped(value: Any, *, allow_unicode: bool) -> str:
    return yaml.dump(
        value,
        Dumper=_Dumper,
        default_flow_style=True,
        allow_unicode=allow_unicode,
        sort_keys=False,
        width=2**31 - 1,
    )


def _key(value: str) -> str:
    return yaml_scalar(value)


def _comment(text: str | None) -> str:
    """`` # text`` for one element's comment (one line; line breaks become spaces)."""
    if not text:
        return ""
    line = " ".join("".join(ch if not _needs_escape(ch) else " " for ch in text).split())
    return f"  # {line}" if line else ""


def _fields_block(fields: Mapping[str, Any], indent: str) -> list[str]:
    return [f"{indent}{_key(key)}: {yaml_scalar(value)}" for key, value in fields.items()]


def write_model(
    model: Model, comments: Mapping[str, str] | None = None, *, canonical: bool = False
) -> str:
    """The model as one YAML file (no ``include:``), in canonical layout.

    ``comments`` maps element ids (flow ids too, and ``system``) to a one-line comment written
    after the element's key, e.g. ``{"db": "from aws_db_instance.default at main.tf:12"}``.
    ``canonical=True`` sorts elements and unordered lists (the text :func:`model_digest` hashes);
    otherwise elements keep the model's order.
    """
    notes = comments or {}
    doc = document(model, canonical=canonical)
    lines = ["version: 1", f"system:{_comment(notes.get('system'))}"]
    lines.extend(_fields_block(doc["system"], _INDENT))
    for section in ("data", "boundaries", "components"):
        lines.extend(_section(section, doc[section], notes))
    if doc["flows"]:
        lines.append("flows:")
        flows = model.flows if not canonical else sorted(model.flows, key=lambda f: f.id)
        for flow, fields in zip(flows, doc["flows"], strict=True):
            body = {k: v for k, v in fields.items() if k not in ("from", "to")}
            arrow = f"{flow.source} -> {flow.target}"
            head = f"{_INDENT}- {_key(arrow)}:"
            if not body:
                lines.append(f"{head} {{}}{_comment(notes.get(flow.id))}")
                continue
            lines.append(f"{head}{_comment(notes.get(flow.id))}")
            lines.extend(_fields_block(body, _INDENT * 3))
    for section in ("controls", "assumptions", "threats", "tracking"):
        lines.extend(_section(section, doc[section], notes))
    return "\n".join(lines) + "\n"


def _section(
    section: str, elements: Mapping[str, Mapping[str, Any]], notes: Mapping[str, str]
) -> list[str]:
    if not elements:
        return []
    lines = [f"{section}:"]
    for key, fields in elements.items():
        comment = _comment(notes.get(key)) if section != "tracking" else ""
        if not fields:
            lines.append(f"{_INDENT}{_key(key)}: {{}}{comment}")
            continue
        lines.append(f"{_INDENT}{_key(key)}:{comment}")
        lines.extend(_fields_block(fields, _INDENT * 2))
    return lines


def canonical_text(model: Model) -> str:
    """The canonical text of a model: what :func:`model_digest` hashes (no comments, sorted)."""
    return write_model(model, canonical=True)


def save_model(
    model: Model,
    path: str | os.PathLike[str],
    comments: Mapping[str, str] | None = None,
) -> str:
    """Write ``model`` to ``path`` once the text reads back as an equal model; return the text.

    Raises :class:`ModelError` (and leaves the file alone) when the written text does not load
    or loads as a different model: a bug in the writer, never a silently changed model.
    """
    from threatforge.model.loader import load_text

    target = os.fspath(path)
    text = write_model(model, comments)
    check_written(model, load_text(text, target), target)
    replace_file(target, text)
    return text


def check_written(intended: Model, written: Model, target: str) -> None:
    """Raise :class:`ModelError` when what was written reads back as another model."""
    if models_equal(intended, written):
        return
    differences = "; ".join(model_differences(intended, written))
    message = f"the YAML written for {target} reads back as another model ({differences}); "
    message += "nothing was written (please report this)"
    raise ModelError((Diagnostic(Level.ERROR, Location(target), message, "writer"),))


def replace_file(path: str, text: str) -> None:
    """Replace ``path`` with ``text`` atomically, without following a symlink at ``path``.

    The text goes to a new temporary file in the same folder (created exclusively, never
    through a symlink), is flushed to disk, and is renamed over the target; a target that is a
    symlink or not a regular file is refused. An existing file's permission bits are kept.
    """
    folder = os.path.dirname(os.path.abspath(path))
    mode = 0o644
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        pass
    else:
        if stat.S_ISLNK(info.st_mode):
            raise _refused(path, "is a symlink; refusing to write through it")
        if not stat.S_ISREG(info.st_mode):
            raise _refused(path, "is not a regular file")
        mode = stat.S_IMODE(info.st_mode)
    # mkstemp opens with O_CREAT | O_EXCL (and O_NOFOLLOW where the platform has it)
    handle, temporary = tempfile.mkstemp(prefix=".threatforge-", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise


def _refused(path: str, why: str) -> ModelError:
    return ModelError((Diagnostic(Level.ERROR, Location(path), f"{path} {why}", "write"),))
