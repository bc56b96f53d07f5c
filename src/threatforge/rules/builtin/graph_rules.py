"""Rules that reason over the whole graph: attack paths and PCI DSS segmentation.

The analyses live in :mod:`threatforge.analysis`; these rules turn their results into findings.
"""

from __future__ import annotations

from threatforge.analysis.attack_paths import AttackPath, Hop, cheapest_paths
from threatforge.analysis.pci_scope import SegmentationViolation, pci_segmentation
from threatforge.model import Classification, Model
from threatforge.rules.interface import (
    Confidence,
    Fire,
    Rule,
    RuleMeta,
    Skip,
    Stride,
    Supersedes,
    Target,
    Verdict,
    rule,
)

__all__ = ["RULES", "attack_path", "pci_segmentation_violation", "root_hop"]


@rule(RuleMeta(
    id="attack-path",
    title="Weak hop {element} into a more trusted zone opens attack paths to {detail}",
    description="The most plausible attack paths from the entry points to crown jewels "
    "(restricted data, secrets, keys, identity or administration) enter a more trusted zone "
    "along this flow without authentication, or with only a shared secret, so an outside "
    "attacker needs little more than network access to walk them. One weak hop is one finding, "
    "listing every crown jewel it opens: authenticating this flow is the one fix for all of them.",
    target=Target.MODEL, likelihood=3, impact=4,
    stride=(Stride.ELEVATION_OF_PRIVILEGE, Stride.SPOOFING),
    cwe=(284, 306, 1390), capec=(115,), asvs=("V1.4.1", "V4.1.1"), attack=("T1190", "T1210"),
    confidence=Confidence.MEDIUM, domain="attack-paths",
    supersedes=(Supersedes("unauthenticated-boundary-crossing"),),
    mitigations=(
        "Authenticate the weak hop with a credential the attacker cannot get from the less "
        "trusted side: tokens validated at the gateway, mTLS or workload identity between "
        "services, IAM/SigV4 for cloud APIs.",
        "Replace shared secrets (API keys, passwords) on hops into trusted zones with "
        "short-lived, non-shared credentials.",
        "Cut the path: remove flows the crown jewel does not need, front it with a service "
        "that authorises every request, and filter with security groups or network policies.",
    ),
    detection="For each crown jewel (a component that stores or processes restricted data, a "
    "secrets store, key management, an identity provider, `admin: true`), the three most "
    "plausible paths from the entry points (depth at most 8; see `threatforge paths`); for each "
    "entry point and crown jewel the cheapest path counts when one of its hops enters a more "
    "trusted zone with `authn` none, network or a shared secret (api-key, basic, password, "
    "session, service-account). The paths are grouped by their first such hop (the root "
    "cause): one finding per weak hop, on that flow, listing the crown jewels it opens; it "
    "replaces the unauthenticated-boundary-crossing finding on that flow. Crown jewels that "
    "are entry points themselves are left to the exposure rules.",
    false_positives="A flow's authentication is taken from the component it reaches when the "
    "flow states none; an anonymous hop that cannot drive the crown jewel (a static asset "
    "fetch) still counts. Model the path precisely, or accept the finding with a justification.",
    references=(
        "https://cwe.mitre.org/data/definitions/306.html",
        "https://attack.mitre.org/techniques/T1210/",
    ),
))
def attack_path(model: Model, _: Model) -> list[Verdict]:
    """Fire once per weak hop (the first weak hop of the cheapest path of an entry point and a
    crown jewel), listing every crown jewel the hop opens."""
    graph = model.graph
    by_hop: dict[str, list[AttackPath]] = {}
    for path in cheapest_paths(model, weak_only=True):
        if graph.is_entry_point(path.target):
            continue
        by_hop.setdefault(root_hop(path).flow, []).append(path)
    verdicts: list[Verdict] = []
    for flow_id, paths in by_hop.items():
        paths.sort(key=lambda p: (p.target, p.effort, p.entry))
        targets = tuple(dict.fromkeys(p.target for p in paths))
        restricted = tuple(dict.fromkeys(
            d
            for t in targets
            for d in model.components[t].data_ids
            if d in model.data and model.data[d].classification is Classification.RESTRICTED
        ))
        verdicts.append(Fire(
            _hop_evidence(model, root_hop(paths[0]), paths),
            elements=(flow_id,),
            data=restricted,
            detail=_listed([model.components[t].label for t in targets]),
            replaces=tuple((p.entry, p.target) for p in paths),
        ))
    return verdicts


def root_hop(path: AttackPath) -> Hop:
    """The root cause of a weak path: its first hop into a more trusted zone that is
    unauthenticated or shared-secret authenticated."""
    return next(h for h in path.hops if h.weak)


def _listed(names: list[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + f" and {names[-1]}"


def _hop_evidence(model: Model, hop: Hop, paths: list[AttackPath]) -> tuple[str, ...]:
    targets = tuple(dict.fromkeys(p.target for p in paths))
    evidence = [
        f"weak hop '{hop.flow}': {hop.why}",
        f"opens {len(targets)} crown jewel{'s' if len(targets) != 1 else ''}: "
        + ", ".join(targets),
    ]
    if hop.boundaries:
        evidence.append(f"boundaries crossed: {', '.join(hop.boundaries)}")
    for path in paths:
        evidence.append(
            f"path to '{path.target}': {path.describe()} (attacker effort {path.effort}; lower "
            "is easier)"
        )
        evidence += [
            f"also weak on the path to '{path.target}': '{h.flow}': {h.why}"
            for h in path.hops
            if h.weak and h.flow != hop.flow
        ]
    for entry, why in dict.fromkeys((p.entry, p.entry_why) for p in paths):
        evidence.append(f"'{entry}': {why}")
    for target, why in dict.fromkeys((p.target, p.target_why) for p in paths):
        evidence.append(f"'{target}' is a crown jewel: {why}")
    return tuple(evidence)


@rule(RuleMeta(
    id="pci-segmentation-violation",
    title="Out-of-scope {element} reaches the cardholder data environment ({detail}) along "
    "open flows",
    description="A component outside PCI DSS scope has a path into the CDE on which every flow "
    "is either unauthenticated or not filtered by a network policy. Segmentation that does not "
    "hold brings the component, and its network, into scope; left as is, a compromise of an "
    "unassessed system leads to account data.",
    target=Target.MODEL, likelihood=3, impact=4,
    stride=(Stride.ELEVATION_OF_PRIVILEGE, Stride.INFORMATION_DISCLOSURE),
    cwe=(653, 284), attack=("T1021",), asvs=("V1.4.1",),
    compliance=("pci-dss-4.0:1.3.1", "pci-dss-4.0:11.4.5"),
    confidence=Confidence.MEDIUM, domain="payments",
    mitigations=(
        "Put a network control on the path (security group, NACL, Kubernetes NetworkPolicy with "
        "default deny) that admits only the named callers, and say so in the model "
        "(`properties: {network_policy: true}` on the flow, or `network_policy: default-deny` on "
        "the zone).",
        "Authenticate every flow into the CDE and into the systems connected to it (mTLS, IAM, "
        "OIDC); an open hop lets anything that reaches it act as the legitimate caller.",
        "If the connection is needed, treat the component as connected-to (in scope) rather "
        "than out of scope, and have the segmentation penetration-tested.",
    ),
    detection="Computes the PCI DSS scope (see `threatforge scope --pci`): the CDE is every "
    "component that stores, processes or transmits `pci.pan` or `pci.sad` data. Fires for each "
    "out-of-scope component (not cardholders or the public) from which a path of flows leads "
    "into the CDE where every flow lacks authentication (`authn` none, network or not stated) "
    "or a network policy.",
    false_positives="Network controls that exist but are not stated in the model; state them "
    "with `network_policy` so that the model is the evidence.",
    references=(
        "https://www.pcisecuritystandards.org/documents/Guidance-PCI-DSS-Scoping-and-Segmentation_v1.pdf",
    ),
))
def pci_segmentation_violation(model: Model, _: Model) -> Verdict | list[Verdict]:
    """Fire once per out-of-scope component with an open path into the CDE."""
    scope = pci_segmentation(model)  # the scope's violations, without its table in words
    if not scope.account_data:
        return Skip("the model has no data with category pci.pan or pci.sad")
    return [_segmentation_fire(model, v, scope.account_data) for v in scope.violations]


def _segmentation_fire(
    model: Model, violation: SegmentationViolation, account_data: tuple[str, ...]
) -> Fire:
    cde = model.components[violation.cde_component]
    evidence = [
        f"'{violation.component}' is out of PCI DSS scope",
        f"path into the CDE: {violation.describe()}",
    ]
    evidence += [f"open hop '{h.flow}': {', '.join(h.gaps)}" for h in violation.hops]
    at_stake = tuple(d for d in model.graph.data_of(cde.id) if d.id in account_data)
    if at_stake:
        evidence.append(
            f"'{cde.id}' is in the CDE: handles {', '.join(a.id for a in at_stake)}"
        )
    return Fire(
        tuple(evidence),
        elements=(violation.component,),
        data=tuple(a.id for a in at_stake),
        detail=cde.label,
    )


RULES: tuple[Rule, ...] = (attack_path, pci_segmentation_violation)
