"""PCI DSS scope: categories with reasons, and segmentation violations that come and go."""

from __future__ import annotations

from analysis_models import card_checkout, model_of

from threatforge.analysis import (
    ScopeCategory,
    SegmentationHop,
    SegmentationViolation,
    pci_scope,
)
from threatforge.analysis.render import scope_markdown

# An unauthenticated internal admin service talks to the card database; the reporting service
# (out of scope) can call it.
ADMIN = """\
system: {name: Shop, compliance: [pci-dss]}
data:
  pan: {classification: restricted, categories: [pci.pan]}
  holder: {classification: restricted, categories: [pci.cardholder]}
  token: {classification: confidential, categories: [pci.token]}
  keys: {classification: restricted, categories: [crypto-keys]}
boundaries:
  internet: {trust: untrusted}
  corp: {trust: semi-trusted}
  app: {trust: trusted}
  cde: {trust: restricted, inside: app}
  acquirer: {kind: third-party, trust: semi-trusted}
components:
  shopper: {kind: actor, zone: internet}
  checkout: {kind: service, zone: app, processes: [pan, holder]}
  card-db: {kind: datastore, zone: cde, stores: [pan, holder], authn: iam}
  kms: {kind: key-management, zone: app, processes: [keys]}
  orders: {kind: service, zone: app, processes: [token]}
  ops-admin: {kind: service, zone: app, exposure: internal, admin: true, authn: none}
  reporting: {kind: service, zone: corp}
  wiki: {kind: service, zone: corp}
  psp: {kind: external-service, zone: acquirer}
flows:
  - shopper -> checkout: {protocol: https, authn: jwt, data: [pan, holder]}
  - checkout -> card-db: {protocol: postgres, tls: true, authn: iam, data: [pan, holder]}
  - card-db -> kms: {protocol: aws-api, authn: iam, data: [keys]}
  - checkout -> psp: {protocol: https, authn: mtls, data: [pan]}
  - checkout -> orders: {protocol: https, authn: iam, data: [token]}
  - reporting -> ops-admin: {protocol: http}
  - ops-admin -> card-db: {protocol: postgres, tls: true, authn: none}
  - wiki -> reporting: {protocol: https, authn: oauth2}
"""


def test_categories_and_reasons() -> None:
    scope = pci_scope(model_of(ADMIN))
    assert scope.account_data == ("pan",)
    assert [(r.component, r.category, r.reasons, r.pci_data) for r in scope.components] == [
        ("card-db", ScopeCategory.CDE,
         ("stores pan", "transmits pan on checkout->card-db",
          "in zone 'cde' (trust: restricted; no zone of the model is marked as the CDE)"),
         ("holder", "pan")),
        ("checkout", ScopeCategory.CDE,
         ("processes pan", "transmits pan on checkout->card-db, checkout->psp, shopper->checkout"),
         ("holder", "pan")),
        ("kms", ScopeCategory.SECURITY_IMPACTING,
         ("key-management serving the CDE", "flows to or from CDE component card-db"), ()),
        ("ops-admin", ScopeCategory.CONNECTED_TO,
         ("flows to or from CDE component card-db",), ()),
        ("orders", ScopeCategory.CONNECTED_TO, ("flows to or from CDE component checkout",), ()),
        ("psp", ScopeCategory.THIRD_PARTY,
         ("third party", "handles pan", "flows to or from CDE component checkout"), ("pan",)),
        ("reporting", ScopeCategory.OUT_OF_SCOPE,
         ("no account data and no flow to or from the CDE",), ()),
        ("shopper", ScopeCategory.OUT_OF_SCOPE,
         ("cardholder or member of the public, not a system of the entity",), ("holder", "pan")),
        ("wiki", ScopeCategory.OUT_OF_SCOPE,
         ("no account data and no flow to or from the CDE",), ()),
    ]
    assert scope.of(ScopeCategory.CDE) == ("card-db", "checkout")
    assert scope.category_of("ops-admin") is ScopeCategory.CONNECTED_TO
    assert scope.category_of("nope") is None


def test_segmentation_violation_through_an_unauthenticated_admin_service() -> None:
    scope = pci_scope(model_of(ADMIN))
    assert scope.violations == (
        SegmentationViolation(
            "reporting",
            "card-db",
            (
                SegmentationHop("reporting->ops-admin", "reporting", "ops-admin",
                                ("authn: none", "no network policy stated")),
                SegmentationHop("ops-admin->card-db", "ops-admin", "card-db",
                                ("authn: none", "no network policy stated")),
            ),
        ),
        SegmentationViolation(
            "wiki",
            "card-db",
            (
                SegmentationHop("wiki->reporting", "wiki", "reporting",
                                ("no network policy stated",)),
                SegmentationHop("reporting->ops-admin", "reporting", "ops-admin",
                                ("authn: none", "no network policy stated")),
                SegmentationHop("ops-admin->card-db", "ops-admin", "card-db",
                                ("authn: none", "no network policy stated")),
            ),
        ),
    )
    assert scope.violations[1].describe() == "wiki -> reporting -> ops-admin -> card-db"


def _fixed(text: str) -> str:
    return text.replace(
        "  - reporting -> ops-admin: {protocol: http}",
        "  - reporting -> ops-admin: {protocol: https, authn: mtls, "
        "properties: {network_policy: true}}",
    ).replace(
        "  - ops-admin -> card-db: {protocol: postgres, tls: true, authn: none}",
        "  - ops-admin -> card-db: {protocol: postgres, tls: true, authn: iam, "
        "properties: {network_policy: true}}",
    )


def test_authentication_and_a_network_policy_on_the_path_remove_the_violation() -> None:
    assert pci_scope(model_of(_fixed(ADMIN))).violations == ()


def test_authentication_alone_is_not_segmentation() -> None:
    authenticated = ADMIN.replace(
        "  - reporting -> ops-admin: {protocol: http}",
        "  - reporting -> ops-admin: {protocol: https, authn: mtls}",
    ).replace("tls: true, authn: none}", "tls: true, authn: iam}")
    assert [v.component for v in pci_scope(model_of(authenticated)).violations] == [
        "reporting", "wiki"
    ]


def test_a_default_deny_zone_filters_its_flows() -> None:
    zoned = ADMIN.replace(
        "  app: {trust: trusted}",
        "  app: {trust: trusted, properties: {network_policy: default-deny}}",
    ).replace(
        "  - reporting -> ops-admin: {protocol: http}",
        "  - reporting -> ops-admin: {protocol: https, authn: mtls}",
    )
    # reporting -> ops-admin is now authenticated and filtered (ops-admin sits in app).
    assert pci_scope(model_of(zoned)).violations == ()
    opened = zoned.replace(
        "ops-admin: {kind: service, zone: app,",
        "ops-admin: {kind: service, zone: app, properties: {network_policy: false},",
    )
    assert [v.component for v in pci_scope(model_of(opened)).violations] == ["reporting", "wiki"]


def test_a_zone_can_declare_the_cde() -> None:
    declared = ADMIN.replace(
        "  cde: {trust: restricted, inside: app}",
        "  cde: {trust: restricted, inside: app, properties: {pci_scope: cde}}",
    ).replace(
        "  wiki: {kind: service, zone: corp}", "  wiki: {kind: service, zone: cde}"
    )
    scope = pci_scope(model_of(declared))
    assert scope.category_of("wiki") is ScopeCategory.CDE
    (row,) = [r for r in scope.components if r.component == "wiki"]
    assert row.reasons == ("in zone 'cde' declared pci_scope: cde",)


def test_no_account_data_means_no_cde() -> None:
    scope = pci_scope(model_of(ADMIN.replace("categories: [pci.pan]", "categories: [financial]")))
    assert scope.account_data == ()
    assert scope.of(ScopeCategory.CDE) == ()
    assert scope.violations == ()


def test_card_checkout_scope() -> None:
    scope = pci_scope(card_checkout())
    assert scope.of(ScopeCategory.CDE) == (
        "api-gateway", "back-office", "card-vault-db", "cloudfront", "cloudwatch-logs",
        "payment-fn",
    )
    assert scope.of(ScopeCategory.SECURITY_IMPACTING) == ("cognito", "kms", "secrets-manager")
    assert scope.of(ScopeCategory.CONNECTED_TO) == (
        "checkout-fn", "orders-table", "payment-events-queue", "refund-fn", "support-agent",
        "webhook-fn",
    )
    assert scope.of(ScopeCategory.THIRD_PARTY) == ("psp",)
    assert scope.of(ScopeCategory.OUT_OF_SCOPE) == (
        "cloudtrail", "fraud-scoring", "log-archive-bucket", "receipts-bucket", "shopper",
    )
    assert scope.violations == ()


def test_markdown_table() -> None:
    text = scope_markdown(pci_scope(model_of(ADMIN)), "Shop | EU")
    lines = text.splitlines()
    # one Markdown escaping for every output (threatforge.text.markdown): ">" is written as
    # "&gt;", which renders as the arrow it was
    assert lines[0] == "# PCI DSS scope: Shop \\| EU"
    assert lines[4] == "| Component | Zone | Scope category | Reason | PCI data |"
    assert lines[6] == (
        "| card-db | cde | CDE | stores pan; transmits pan on checkout-&gt;card-db; in zone 'cde' "
        "(trust: restricted; no zone of the model is marked as the CDE) | holder, pan |"
    )
    assert lines[-4:] == [
        "| Component | Reaches | Path | Open because |",
        "|---|---|---|---|",
        "| reporting | card-db | reporting -&gt; ops-admin -&gt; card-db | "
        "reporting-&gt;ops-admin: authn: none, no network policy stated; "
        "ops-admin-&gt;card-db: authn: none, no network policy stated |",
        "| wiki | card-db | wiki -&gt; reporting -&gt; ops-admin -&gt; card-db | "
        "wiki-&gt;reporting: no network policy stated; "
        "reporting-&gt;ops-admin: authn: none, no network policy stated; "
        "ops-admin-&gt;card-db: authn: none, no network policy stated |",
    ]
    assert text.endswith("policy stated |\n")


MARKED_ZONES = """\
version: 1
system: {name: Cards, compliance: [pci-dss]}
data:
  pan: {classification: restricted, categories: [pci.pan]}
boundaries:
  app: {kind: vpc, trust: trusted}
  vault-net: {kind: subnet, trust: restricted, inside: app, properties: {cde: true}}
  tokens-net: {kind: subnet, trust: trusted, inside: app, properties: {pci_scope: cde}}
components:
  vault: {kind: datastore, zone: vault-net, encryption: {at_rest: kms-cmk}}
  tokenizer: {kind: service, zone: tokens-net}
  reports-db: {kind: datastore, zone: app, stores: [pan], encryption: {at_rest: kms-cmk}}
"""


def test_payment_rules_and_scope_agree_on_the_cde_of_marked_zones() -> None:
    """One definition of the CDE: a zone marked ``cde: true`` or ``pci_scope: cde``."""
    from datetime import date

    from threatforge.model import load_text
    from threatforge.rules import analyze, builtin_rules
    from threatforge.rules.builtin._facts import cde_components

    model = load_text(MARKED_ZONES)
    scope = pci_scope(model)
    # the payment rules: in the CDE by zone; PAN stored anywhere else is stored outside it
    assert sorted(cde_components(model)) == ["tokenizer", "vault"]
    rules = [r for r in builtin_rules() if r.id == "pci-pan-stored-outside-cde"]
    findings = analyze(model, rules, today=date(2026, 1, 1)).findings
    assert [f.fingerprint for f in findings] == ["pci-pan-stored-outside-cde@reports-db"]
    # scope --pci: the same zones, and the system that stores PAN outside them
    assert scope.of(ScopeCategory.CDE) == ("reports-db", "tokenizer", "vault")
    reasons = {row.component: row.reasons for row in scope.components}
    assert reasons["vault"] == ("in zone 'vault-net' declared cde: true",)
    assert reasons["tokenizer"] == ("in zone 'tokens-net' declared pci_scope: cde",)
    assert reasons["reports-db"] == ("stores pan",)
    by_zone = {c for c, why in reasons.items() if any(r.startswith("in zone") for r in why)}
    assert by_zone == set(cde_components(model))
