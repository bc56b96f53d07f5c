"""A stated weakness no rule reads is still a finding, never silence (issue 15 item 4).

``properties: {wallet_encrypted: false}`` on a desktop client, ``secrets_encryption: none`` on a
deployment, ``admin_mfa: false`` where no rule asks about admin MFA: the user wrote down a
missing protection. When no built-in rule reads that key on the element's kind and technology
(:mod:`threatforge.rules.unread_facts`, derived from the property catalogue's ``read by`` and the
rules' metadata) and the value says so in a well-known way (``weaknesses.yaml``), this rule
reports it, naming the fact, so the reviewer decides what it means. The engine also warns of
every stated key no rule reads there (unknown keys: the loader warns, with "did you mean").
"""

from __future__ import annotations

import functools
from collections.abc import Mapping

from threatforge.model import Component, Model
from threatforge.rules.builtin._facts import INFO, E, S, T
from threatforge.rules.interface import (
    PASS,
    Confidence,
    ElementSet,
    Fire,
    Rule,
    RuleMeta,
    Target,
    Verdict,
    rule,
)
from threatforge.rules.unread_facts import Readers, UnreadFact, readers_of, unread_facts

__all__ = ["RULES"]


@functools.cache
def _builtin_readers() -> Readers:
    # the registry lists this module's rules: read it when the first model is checked
    from threatforge.rules.registry import builtin_rules

    return readers_of(builtin_rules())


def _weak_unread(model: Model) -> Mapping[str, tuple[UnreadFact, ...]]:
    def find() -> dict[str, tuple[UnreadFact, ...]]:
        found: dict[str, list[UnreadFact]] = {}
        for fact in unread_facts(model, _builtin_readers()):
            if fact.weakness is not None:
                found.setdefault(fact.component, []).append(fact)
        return {cid: tuple(facts) for cid, facts in found.items()}

    return model.graph.memo(("weak-unread-facts",), find)


STATES_UNREAD_WEAKNESS = ElementSet(
    "states-unread-weakness", "components stating a missing protection on a properties: key "
    "no built-in rule reads on their kind and technology (or an unknown key)",
    lambda model: frozenset(_weak_unread(model)),
)


@rule(RuleMeta(
    id="stated-weakness-unread",
    title="{element} states a missing protection that no rule judges there ({detail})",
    description="The model states, on this element, that a protection is missing (a value "
    "such as `false` or `none` on a key about encryption, authentication, MFA, TLS, "
    "verification, isolation or logging), but no rule reads that key on an element of this "
    "kind and technology, or the key is unknown. The fact is a weakness the user wrote down: "
    "it is reported as it is stated rather than dropped, for a reviewer to judge.",
    target=Target.COMPONENT, likelihood=2, impact=3, stride=(S, T, INFO, E), cwe=(693,),
    confidence=Confidence.MEDIUM, domain="generic", among=STATES_UNREAD_WEAKNESS,
    mitigations=(
        "Add the missing protection the fact names (encrypt the file or store, authenticate "
        "the caller, turn on MFA, TLS, verification or logging), then state it as `true`.",
        "If a rule should judge this fact, state it under the key the property catalogue "
        "documents for this kind (docs/rules/*-properties.md); a reviewer-only note belongs "
        "under a key marked informational.",
    ),
    detection="A component stating a `properties:` key that no built-in rule reads on its "
    "kind and technology (the property catalogue's read by column and the rules' kinds and "
    "technologies) or that the catalogue does not know, with a value that weaknesses.yaml "
    "lists as a missing protection (`*_encrypted: false`, `*_authn: none`, `*_mfa: false` "
    "...). Keys marked informational stay silent.",
    false_positives="A key recorded for reviewers that is not marked informational in the "
    "property catalogue; accept with a justification.",
))
def stated_weakness_unread(component: Component, model: Model) -> Verdict:
    """A stated missing protection on a key no rule reads on this element."""
    facts = _weak_unread(model).get(component.id)
    if not facts:
        return PASS
    return Fire(tuple(f.evidence for f in facts),
                detail=", ".join(f.shown for f in facts))


RULES: tuple[Rule, ...] = (stated_weakness_unread,)
