"""``paths:`` globs: the same answers as the regular expressions they replace, in linear time
(issue #14 item 10: a 182-character glob never finished against an ordinary scanner path)."""

from __future__ import annotations

import random
import re

import pytest

from threatforge.errors import ImporterError
from threatforge.importers._path_glob import MAX_GLOB_CHARS, compile_glob
from threatforge.importers.sarif_evidence import map_sarif
from threatforge.model import Model, load_text


def _old_regex(glob: str) -> re.Pattern[str]:
    """The translation the matcher replaced (backtracking): the reference for ordinary globs."""
    parts: list[str] = []
    i = 0
    while i < len(glob):
        char = glob[i]
        if glob.startswith("**/", i):
            parts.append("(?:.*/)?")
            i += 3
            continue
        if glob.startswith("**", i):
            parts.append(".*")
            i += 2
            continue
        parts.append("[^/]*" if char == "*" else "[^/]" if char == "?" else re.escape(char))
        i += 1
    suffix = "" if any(c in glob for c in "*?") else "(?:/.*)?"
    return re.compile("^" + "".join(parts) + suffix + r"\Z", re.DOTALL)


@pytest.mark.parametrize(
    ("glob", "path", "matches"),
    [
        ("services/pay**", "services/payments/api/x.py", True),
        ("services/**.py", "services/a/b/c.py", True),
        ("services/**.py", "services/a/b/c.pyc", False),
        ("foo**/bar", "foobar", True),
        ("foo**/bar", "foo/a/b/bar", True),
        ("**/**/x.tf", "x.tf", True),
        ("**/**/x.tf", "a/b/x.tf", True),
        ("src/[a].py", "src/[a].py", True),  # no character classes: '[' is a character
        ("src/[a].py", "src/a.py", False),
        ("a/*", "a/", True),
        ("a/*", "a/b/c", False),
        ("a/**", "a/", True),
        ("a/**", "a", False),
        ("*", "", True),
        ("?", "/", False),
    ],
)
def test_glob_semantics_beyond_the_common_cases(glob: str, path: str, matches: bool) -> None:
    assert compile_glob(glob).match(path) is matches
    assert bool(_old_regex(glob).match(path)) is matches


def test_the_matcher_agrees_with_the_old_translation_on_random_globs() -> None:
    chooser = random.Random(1405)  # noqa: S311 - reproducible test input, not a secret
    pieces = ["a", "b", "/", "*", "**", "**/", "?", ".", "ab"]
    for _ in range(3000):
        glob = "".join(chooser.choice(pieces) for _ in range(chooser.randint(0, 7)))
        path = "".join(chooser.choice("ab/.") for _ in range(chooser.randint(0, 9)))
        compiled = compile_glob(glob)
        assert compiled.match(path) is bool(_old_regex(glob).match(path)), (glob, path)
        # the one-pass match of an absolute path == a match of one of its folder suffixes
        stripped = path.strip("/")
        suffixes = ["/".join(stripped.split("/")[i:]) for i in range(len(stripped.split("/")))]
        expected = any(_old_regex(glob).match(s) for s in suffixes)
        assert compiled.match_from_any_folder(stripped) is expected, (glob, path)


@pytest.mark.timeout(10, method="thread")  # the old regex never returned to Python: kill it
def test_the_redos_glob_finishes_against_a_long_scanner_path() -> None:
    glob = "a*" * 90 + "b*b"  # 183 characters: 91 stars, hours for the backtracking regex
    model = load_text(
        "system: {name: S}\n"
        "components:\n"
        f"  svc: {{kind: service, paths: ['{glob}']}}\n"
    )
    uri = "a" * 1990 + ".py"  # result paths are cut at 2,000 characters
    document = {
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "semgrep", "rules": []}},
            "results": [
                {"ruleId": "r", "message": {"text": "m"},
                 "locations": [{"physicalLocation": {"artifactLocation": {"uri": uri}}}]},
                {"ruleId": "r", "message": {"text": "m"},
                 "locations": [{"physicalLocation": {"artifactLocation": {"uri": "/" + uri}}}]},
            ],
        }],
    }
    evidence, unmapped = map_sarif(document, model, "attack.sarif")
    assert evidence == []
    assert unmapped == [
        f"semgrep r at {uri}: matches no component's paths",
        f"semgrep r at /{uri}: matches no component's paths",
    ]
    assert compile_glob(glob).match("a" * 4000 + "bb") is True


def test_globs_are_bounded() -> None:
    long_glob = "a" * (MAX_GLOB_CHARS + 1)
    ok = load_text("system: {name: S}\ncomponents:\n  svc: {kind: service, paths: ['**']}\n")
    # the loader bounds paths: entries at 300 characters; a model built in code is checked here
    svc = ok.components["svc"].model_copy(update={"paths": [long_glob]})
    model = Model(system=ok.system, components={"svc": svc})
    with pytest.raises(ImporterError) as raised:
        map_sarif({"runs": []}, model, "x.sarif")
    assert str(raised.value) == (
        f"component 'svc': paths: glob of {MAX_GLOB_CHARS + 1} characters is longer than "
        f"{MAX_GLOB_CHARS}: name a folder (services/payments/**) instead"
    )
