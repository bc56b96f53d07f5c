"""Fuzz the YAML rule-pack parser, and run whatever compiles on a small model.

Expected outcomes: a :class:`RuleError` (every problem in a pack is one, located). Anything else
raised is a crash; so is a compiled pack rule that raises when evaluated.

    python fuzz/fuzz_rule_pack.py CORPUS_DIR -max_total_time=60 -rss_limit_mb=2048 -timeout=10
"""

from __future__ import annotations

from datetime import date

from _fuzzing import fuzz_main, instrumented

with instrumented():
    from threatforge.errors import RuleError
    from threatforge.model import load_text
    from threatforge.model._yaml import ReadError, parse_bytes
    from threatforge.rules import analyze
    from threatforge.rules.declarative import parse_pack

MODEL = load_text(
    """
system: {name: Fuzz, criticality: high}
data:
  cards: {classification: restricted, categories: [pci.pan]}
boundaries:
  internet: {trust: untrusted, kind: internet}
  vpc: {trust: trusted, kind: vpc}
components:
  user: {kind: actor, zone: internet}
  gw: {kind: gateway, zone: vpc, tech: aws.apigateway, authn: oauth2, exposure: public}
  fn: {kind: function, zone: vpc, tech: aws.lambda, processes: [cards], properties: {debug: true}}
  db: {kind: datastore, zone: vpc, tech: aws.rds.postgres, stores: [cards],
       encryption: {at_rest: kms}}
flows:
  - user -> gw: {protocol: https, data: [cards]}
  - gw -> fn: {protocol: aws-invoke, authn: iam}
  - fn -> db: {protocol: postgres, tls: true, data: [cards]}
""",
    "model.yaml",
)
TODAY = date(2026, 1, 1)


class PackRuleCrash(Exception):
    """A pack rule that compiled raised when it was evaluated."""


def TestOneInput(data: bytes) -> None:  # the name atheris expects
    """Parse ``data`` as a rule pack; evaluate its rules when it compiles."""
    try:
        document = parse_bytes(data, "pack.yaml")
        rules = parse_pack(document)
    except (ReadError, RuleError):
        return
    assessment = analyze(MODEL, rules, today=TODAY)
    if assessment.rule_errors:
        raise PackRuleCrash("; ".join(f"{e.rule}: {e.error}" for e in assessment.rule_errors))


if __name__ == "__main__":
    fuzz_main(TestOneInput)
