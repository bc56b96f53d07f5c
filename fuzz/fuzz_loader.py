"""Fuzz the YAML/JSON reader and the model loader, and the engine on whatever loads.

Expected outcomes: a :class:`ReadError` (the bytes are not one bounded YAML mapping) or a
:class:`ModelError` (not a valid model). Anything else raised is a crash; so is a rule error when
a fuzzed model does load (a rule that raises on a valid model is a bug, even if the engine keeps
going).

    python fuzz/fuzz_loader.py CORPUS_DIR -max_total_time=60 -rss_limit_mb=2048 -timeout=10
"""

from __future__ import annotations

from datetime import date

from _fuzzing import fuzz_main, instrumented

with instrumented():
    from threatforge.model import Limits, ModelError, load_text
    from threatforge.model._yaml import ReadError, parse_bytes
    from threatforge.rules import analyze, builtin_rules

RULES = tuple(builtin_rules())
LIMITS = Limits()
TODAY = date(2026, 1, 1)


class RuleCrash(Exception):
    """A built-in rule raised on a model that loaded."""


def TestOneInput(data: bytes) -> None:  # the name atheris expects
    """Read ``data`` as a model file; analyse it when it is a valid model."""
    try:
        parse_bytes(data, "fuzz.yaml", LIMITS)
    except ReadError:
        return
    text = data.removeprefix(b"\xef\xbb\xbf").decode("utf-8")  # parse_bytes accepted it
    try:
        model = load_text(text, "fuzz.yaml", limits=LIMITS)
    except ModelError:
        return
    assessment = analyze(model, RULES, today=TODAY)
    if assessment.rule_errors:
        failures = "; ".join(f"{e.rule} on {e.element}: {e.error}" for e in assessment.rule_errors)
        raise RuleCrash(failures)


if __name__ == "__main__":
    fuzz_main(TestOneInput)
