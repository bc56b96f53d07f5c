"""Scanner results (SARIF from bandit, semgrep, checkov, trivy, ZAP, ...) mapped onto components
as evidence that a threat is real.

Components claim code or infrastructure with ``paths:`` globs (``services/payments/**``); a
result whose file matches a component's globs becomes :class:`Evidence` on that component (the
most specific glob wins). Results about URLs (ZAP, other DAST) match globs that are URL paths
(``/api/payments/*``). The CWE ids come from the rule's or the result's tags and taxa, else
from a small table of well-known bandit and semgrep rules. The engine raises the likelihood of a
finding on that component whose rule cites the same CWE. Results that match no component are
returned as descriptions, never silently dropped.

Files are read through the bounded JSON reader (:func:`threatforge.model.read_json_file`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from threatforge.assessment import Evidence
from threatforge.errors import ImporterError
from threatforge.importers._path_glob import GlobTooLong, PathGlob, compile_glob
from threatforge.model import JsonLimits, Model, ReadError, read_json_file

__all__ = ["BANDIT_CWE", "MAX_SARIF_BYTES", "SEMGREP_CWE", "load_evidence", "map_sarif"]

MAX_SARIF_BYTES = 32 * 1024 * 1024
"""Parsed JSON takes about 25x its size in memory: 32 MiB stays well under 1 GiB."""
MAX_MESSAGE_CHARS = 500

BANDIT_CWE: dict[str, tuple[int, ...]] = {
    "B102": (78,),  # exec used
    "B103": (732,),  # permissive file permissions
    "B104": (605,),  # binding to all interfaces
    "B105": (259,),  # hard-coded password string
    "B106": (259,),  # hard-coded password argument
    "B107": (259,),  # hard-coded password default
    "B108": (377,),  # insecure temporary file
    "B113": (400,),  # request without timeout
    "B201": (94,),  # flask debug=True
    "B301": (502,),  # pickle
    "B303": (327,),  # weak hash (md5/sha1)
    "B307": (78,),  # eval
    "B311": (330,),  # non-cryptographic random
    "B314": (20,),  # xml.etree parse
    "B324": (327,),  # hashlib weak hash
    "B501": (295,),  # requests verify=False
    "B502": (327,),  # weak SSL/TLS protocol
    "B506": (20,),  # yaml.load
    "B602": (78,),  # subprocess run through a shell
    "B605": (78,),  # os.system with a shell
    "B608": (89,),  # SQL built from strings
    "B610": (89,),  # Django extra()
    "B611": (89,),  # Django RawSQL
    "B701": (94,),  # jinja2 autoescape off
    "B702": (80,),  # mako templates
    "B703": (80,),  # Django mark_safe
}
"""Bandit test ids -> CWE, as bandit's own documentation lists them."""

SEMGREP_CWE: tuple[tuple[str, tuple[int, ...]], ...] = (
    ("sql", (89,)),
    ("sqli", (89,)),
    ("command-injection", (78,)),
    ("subprocess-shell", (78,)),
    ("dangerous-system-call", (78,)),
    ("xss", (79,)),
    ("ssrf", (918,)),
    ("path-traversal", (22,)),
    ("pickle", (502,)),
    ("deserialization", (502,)),
    ("hardcoded-password", (798,)),
    ("hardcoded-secret", (798,)),
    ("detected-aws", (798,)),
    ("jwt-none-alg", (347,)),
    ("open-redirect", (601,)),
    ("xxe", (611,)),
    ("insecure-hash", (327,)),
)
"""Words in semgrep rule ids (``python.django.security.injection.tainted-sql-string``) -> CWE,
used only when the rule's metadata names no CWE."""

_CWE = re.compile(r"(?i)\bcwe[-_:/ ]?(\d{1,5})\b")


@dataclass(frozen=True, slots=True)
class _Claim:
    """A component's ``paths:`` glob, compiled."""

    component: str
    pattern: PathGlob
    specificity: int
    url: bool


# --- reading ------------------------------------------------------------------------------------


def load_evidence(paths: Sequence[Path], model: Model) -> tuple[list[Evidence], list[str]]:
    """Read SARIF files; return evidence mapped to components and descriptions of the rest."""
    mapped: list[Evidence] = []
    unmapped: list[str] = []
    for path in paths:
        document = _read(Path(path))
        found, missed = map_sarif(document, model, str(path))
        mapped.extend(found)
        unmapped.extend(missed)
    return mapped, unmapped


SARIF_LIMITS = JsonLimits(max_bytes=MAX_SARIF_BYTES, max_depth=64)


def _read(path: Path) -> Any:
    """The JSON of one SARIF file, through the bounded JSON reader."""
    try:
        return read_json_file(str(path), str(path), SARIF_LIMITS, kind="a SARIF file")
    except ReadError as exc:
        if exc.message == "no such file":
            raise ImporterError(f"{path}: no such file (--evidence expects a SARIF file)") from None
        raise ImporterError(str(exc)) from None


# --- mapping ------------------------------------------------------------------------------------


def map_sarif(document: Any, model: Model, name: str = "sarif") -> tuple[list[Evidence], list[str]]:
    """Map one parsed SARIF log onto the model's components."""
    if not isinstance(document, dict) or not isinstance(document.get("runs"), list):
        raise ImporterError(f"{name}: not a SARIF log (no 'runs' list)")
    claims = _claims(model)
    owners_of: dict[str, list[str]] = {}  # scanners report many results per file
    mapped: list[Evidence] = []
    unmapped: list[str] = []
    for run in document["runs"]:
        if not isinstance(run, dict):
            continue
        tool = _tool_name(run)
        rules = _rules(run)
        for result in _list(run.get("results")):
            if not isinstance(result, dict) or _suppressed(result):
                continue
            rule_id, rule = _rule_of(result, rules)
            uri, line = _location(result)
            cwe = _cwe_of(result, rule, rule_id)
            message = _message(result, rule)
            where = f"{uri}:{line}" if uri and line else uri
            owners = owners_of.get(uri)
            if owners is None:
                owners = owners_of[uri] = _owners(uri, claims) if uri else []
            if not owners:
                reason = "has no file location" if not uri else "matches no component's paths"
                unmapped.append(f"{tool} {rule_id or '(no rule)'} at {where or '?'}: {reason}")
                continue
            level = _text(result.get("level")) or _default_level(rule) or "warning"
            for owner in owners:
                mapped.append(
                    Evidence(
                        element=owner,
                        tool=tool,
                        rule_id=rule_id or "(no rule)",
                        cwe=cwe,
                        message=message,
                        location=where,
                        level=level,
                    )
                )
    return mapped, unmapped


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _dict(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, dict) else {}


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _tool_name(run: Mapping[str, Any]) -> str:
    driver = _dict(_dict(run.get("tool")).get("driver"))
    return _text(driver.get("name"))[:100] or "scanner"


def _rules(run: Mapping[str, Any]) -> tuple[list[Mapping[str, Any]], dict[str, Mapping[str, Any]]]:
    tool = _dict(run.get("tool"))
    ordered = [_dict(r) for r in _list(_dict(tool.get("driver")).get("rules"))]
    by_id = {_text(r.get("id")): r for r in ordered if _text(r.get("id"))}
    for extension in _list(tool.get("extensions")):
        for rule in _list(_dict(extension).get("rules")):
            rule = _dict(rule)
            by_id.setdefault(_text(rule.get("id")), rule)
    return ordered, by_id


def _rule_of(
    result: Mapping[str, Any], rules: tuple[list[Mapping[str, Any]], dict[str, Mapping[str, Any]]]
) -> tuple[str, Mapping[str, Any]]:
    ordered, by_id = rules
    reference = _dict(result.get("rule"))
    rule_id = _text(result.get("ruleId")) or _text(reference.get("id"))
    if rule_id in by_id:
        return rule_id, by_id[rule_id]
    index = result.get("ruleIndex", reference.get("index"))
    if isinstance(index, int) and not isinstance(index, bool) and 0 <= index < len(ordered):
        rule = ordered[index]
        return rule_id or _text(rule.get("id")), rule
    return rule_id, {}


def _suppressed(result: Mapping[str, Any]) -> bool:
    """Results the scanner's users already suppressed, or that report a passed check."""
    if result.get("kind") in ("pass", "notApplicable", "informational"):
        return True
    if result.get("baselineState") == "absent":
        return True
    return any(
        _dict(s).get("status", "accepted") == "accepted" for s in _list(result.get("suppressions"))
    )


def _location(result: Mapping[str, Any]) -> tuple[str, int]:
    for location in _list(result.get("locations")):
        physical = _dict(_dict(location).get("physicalLocation"))
        uri = _text(_dict(physical.get("artifactLocation")).get("uri"))
        if uri:
            line = _dict(physical.get("region")).get("startLine")
            # bounded: matching is linear in the path, times every glob of the model
            return uri[:2000], line if isinstance(line, int) and not isinstance(line, bool) else 0
    web = _dict(result.get("webRequest"))
    target = _text(web.get("target"))
    return target[:2000], 0


def _message(result: Mapping[str, Any], rule: Mapping[str, Any]) -> str:
    message = _dict(result.get("message"))
    text = _text(message.get("text")) or _text(_dict(rule.get("shortDescription")).get("text"))
    text = " ".join(text.split())
    return text if len(text) <= MAX_MESSAGE_CHARS else text[: MAX_MESSAGE_CHARS - 1] + "…"


def _default_level(rule: Mapping[str, Any]) -> str:
    return _text(_dict(rule.get("defaultConfiguration")).get("level"))


# --- CWE ---------------------------------------------------------------------------------------


def _cwe_in(values: Iterable[Any]) -> set[int]:
    found: set[int] = set()
    for value in values:
        if isinstance(value, str):
            found.update(int(m) for m in _CWE.findall(value[:500]))
        elif isinstance(value, int) and not isinstance(value, bool):
            found.add(value)
    return found


def _taxa_cwe(items: Iterable[Any]) -> set[int]:
    """``taxa`` / ``relationships`` entries pointing into a CWE taxonomy."""
    found: set[int] = set()
    for item in items:
        item = _dict(item)
        target = _dict(item.get("target")) or item
        component = _text(_dict(target.get("toolComponent")).get("name"))
        identifier = _text(target.get("id"))
        if component.upper() == "CWE" and identifier.isdigit():
            found.add(int(identifier))
        else:
            found.update(_cwe_in([identifier]))
    return found


def _property_cwe(properties: Mapping[str, Any]) -> set[int]:
    found = _cwe_in(_list(properties.get("tags")))
    cwe = properties.get("cwe")
    found.update(_cwe_in(cwe if isinstance(cwe, list) else [cwe]))
    if isinstance(cwe, str) and cwe.isdigit():
        found.add(int(cwe))
    return found


def _cwe_of(result: Mapping[str, Any], rule: Mapping[str, Any], rule_id: str) -> tuple[int, ...]:
    found = _property_cwe(_dict(result.get("properties")))
    found.update(_taxa_cwe(_list(result.get("taxa"))))
    found.update(_property_cwe(_dict(rule.get("properties"))))
    found.update(_taxa_cwe(_list(rule.get("relationships"))))
    if not found:
        found.update(_known_rule_cwe(rule_id))
    return tuple(sorted(c for c in found if 0 < c < 100_000))


def _known_rule_cwe(rule_id: str) -> tuple[int, ...]:
    bandit = re.match(r"^(B\d{3})\b", rule_id)
    if bandit and bandit.group(1) in BANDIT_CWE:
        return BANDIT_CWE[bandit.group(1)]
    tokens = re.split(r"[^a-z0-9]+", rule_id.lower())
    for words, cwe in SEMGREP_CWE:
        wanted = words.split("-")
        if any(tokens[i : i + len(wanted)] == wanted for i in range(len(tokens))):
            return cwe
    return ()


# --- paths ---------------------------------------------------------------------------------------


def _claims(model: Model) -> list[_Claim]:
    claims = []
    for component in model.components.values():
        for glob in component.paths:
            claims.append(_compile(component.id, glob))
    return claims


def _compile(component: str, glob: str) -> _Claim:
    url = glob.startswith("/")
    text = glob.strip().removeprefix("./")
    if text.endswith("/"):
        text += "**"
    try:
        pattern = compile_glob(text)
    except GlobTooLong as exc:  # a model built in code: files are bounded at load
        raise ImporterError(f"component '{component}': paths: {exc}") from None
    return _Claim(component, pattern, len(re.split(r"[*?\[]", text, maxsplit=1)[0]), url)


def _candidate(uri: str) -> tuple[str, bool, bool]:
    """The relative path a URI stands for, whether it is a URL (DAST), and whether it is
    absolute (then any of its suffixes that start after a ``/`` may be the relative path: the
    repository root is somewhere above)."""
    try:
        split = urlsplit(uri)
    except ValueError:  # e.g. an unclosed '[' (IPv6 literal): read it as a plain path
        split = urlsplit("")
    if split.scheme in ("http", "https"):
        return unquote(split.path) or "/", True, False
    path = unquote(split.path if split.scheme == "file" else uri).replace("\\", "/")
    path = re.sub(r"^[A-Za-z]:/", "/", path)
    path = path.removeprefix("./")
    if not path.startswith("/"):
        return path, False, False
    return path.strip("/"), False, True


def _owners(uri: str, claims: Sequence[_Claim]) -> list[str]:
    path, is_url, absolute = _candidate(uri)
    best = -1
    owners: list[str] = []
    for claim in claims:
        if claim.url != is_url:
            continue
        pattern = claim.pattern
        if not (pattern.match_from_any_folder(path) if absolute else pattern.match(path)):
            continue
        if claim.specificity > best:
            best, owners = claim.specificity, [claim.component]
        elif claim.specificity == best and claim.component not in owners:
            owners.append(claim.component)
    return owners
