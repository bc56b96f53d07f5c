"""Ids unique across sections (issue #14 item 19): one id naming a flow and a component no
longer moves the flow's findings onto the component, and every shared id is a warning with the
exact rewrite (an error from the next release; ``LoadResult.id_renames`` is the rewrite as data).
"""

from __future__ import annotations

import textwrap
from datetime import date
from pathlib import Path

from typer.testing import CliRunner

from threatforge.cli import app
from threatforge.model import Location, load, load_text, load_with_diagnostics
from threatforge.model._yaml import parse_text
from threatforge.model.id_clashes import IdRename, Reference, plan_id_renames
from threatforge.rules import Severity, analyze
from threatforge.rules.declarative import parse_pack

TODAY = date(2026, 1, 1)

# The attack: the change names its cleartext flow from the internet after an internal,
# dataless component. Looked up by id, the flow's finding was scored on the component (no
# exposure: high, not critical), titled and located there, and `check --fail-on critical` passed.
SHARED_FLOW_ID = """\
system: {name: Card checkout, owner: payments-team, criticality: high}
data:
  card-number: {classification: restricted}
boundaries:
  internet: {trust: untrusted}
  vpc: {trust: trusted}
components:
  shopper: {kind: actor, zone: internet}
  checkout: {kind: service, zone: vpc}
  payments: {kind: service, zone: vpc, name: Payments service}
flows:
  - id: payments
    name: Card entry
    from: shopper
    to: checkout
    protocol: http
    tls: false
    data: [card-number]
  - checkout -> payments: {protocol: https, tls: true}
"""

FLOW_WARNING = (
    "threatmodel.yaml:12:5: warning: flow 'payments' has the id of component 'payments': ids "
    "must be unique across sections (a warning in this release, an error in the next); rename "
    "flow 'payments' to 'payments-flow' here"
)


def test_a_flow_named_after_an_internal_component_still_fails_the_gate(
    tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("threatmodel.yaml").write_text(SHARED_FLOW_ID, encoding="utf-8")
    result = CliRunner().invoke(
        app, ["check", "threatmodel.yaml", "--fail-on", "critical", "--today", "2026-01-01"]
    )
    assert result.exit_code == 1
    assert result.stdout == (
        'check "Card checkout" (fail on critical or above)\n'
        "open findings: 1 critical, 0 high, 0 elevated, 0 medium, 0 low\n"
        "0 findings not counted because of decisions\n"
        "policy: built-in defaults (decisions expire within 365 days)\n"
        "1 finding at or above critical:\n"
        "  critical  cleartext-sensitive-flow@payments  Sensitive data travels unencrypted on "
        "Card entry\n"
        'gate FAILED for "Card checkout" (fail on critical or above)\n'
    )
    assert FLOW_WARNING in result.stderr


def test_the_flow_finding_is_scored_titled_and_located_on_the_flow() -> None:
    model = load_text(SHARED_FLOW_ID)
    [finding] = [f for f in analyze(model, today=TODAY).findings if "payments" in f.elements]
    assert finding.fingerprint == "cleartext-sensitive-flow@payments"
    assert finding.elements == ("payments",)
    assert finding.title == "Sensitive data travels unencrypted on Card entry"
    assert finding.location == Location("threatmodel.yaml", 12, 5)  # the flow, not line 10
    assert (finding.severity, finding.likelihood, finding.impact) == (Severity.CRITICAL, 4, 5)
    assert finding.likelihood_factors == ("base 3", "+1 'shopper' is an entry point")
    assert finding.data == ("card-number",)


def test_a_control_on_the_component_does_not_mitigate_the_flow_sharing_its_id() -> None:
    text = SHARED_FLOW_ID.replace(
        "name: Payments service}", "name: Payments service, controls: [tls-ok]}"
    ) + textwrap.dedent("""\
        controls:
          tls-ok:
            status: implemented
            applies_to: [checkout]
            mitigates: [cleartext-sensitive-flow]
        """)
    model = load_text(text)
    [finding] = [f for f in analyze(model, today=TODAY).findings if "payments" in f.elements]
    assert (finding.severity, finding.likelihood) == (Severity.CRITICAL, 4)
    assert finding.explanation == (
        "Critical: likelihood 4/5 (base 3; +1 'shopper' is an entry point), impact 5/5 "
        "(base 4; +1 restricted data 'card-number')."
    )


STORE_PACK = """\
pack: stores
rules:
  - id: store-review
    title: "{element} needs a review"
    description: Fires on every datastore.
    target: component
    when: {kind: datastore}
    likelihood: 2
    impact: 2
    stride: [information-disclosure]
    cwe: [311]
    mitigations: [Review it.]
"""


def test_a_data_asset_sharing_a_components_id_is_not_at_stake_in_its_findings() -> None:
    # Looked up by id, the component 'vault' also counted the restricted data asset 'vault':
    # data ('notes', 'vault'), impact 3 "+1 restricted data 'vault'".
    model = load_text(
        textwrap.dedent("""\
            system: {name: Store}
            data:
              vault: {classification: restricted}
              notes: {classification: internal}
            boundaries:
              z: {trust: trusted}
            components:
              vault: {kind: datastore, zone: z, stores: [notes]}
            """)
    )
    pack = parse_pack(parse_text(STORE_PACK, "pack.yaml"))
    [finding] = analyze(model, pack, today=TODAY).findings
    assert (finding.fingerprint, finding.data, finding.impact) == (
        "store-review@vault",
        ("notes",),
        1,
    )
    assert finding.impact_factors == ("base 2", "-1 internal data 'notes'")


SHARED_EVERYWHERE = """\
system: {name: Shop, owner: team}
data:
  payments: {classification: restricted}
boundaries:
  internet: {trust: untrusted}
  payments: {trust: trusted}
  payments-zone: {trust: trusted, inside: payments}
components:
  shopper: {kind: actor, zone: internet}
  payments: {kind: service, zone: payments, stores: [payments], controls: [waf]}
  api: {kind: service, zone: payments-zone, processes: [payments]}
flows:
  - id: payments
    from: shopper
    to: api
    protocol: https
    data: [payments]
controls:
  waf: {status: implemented, applies_to: [payments]}
tracking:
  "cleartext-sensitive-flow@payments": {status: open}
"""

_PREFIX = "warning: {what} 'payments' has the id of component 'payments': ids must be unique "
_PREFIX += "across sections (a warning in this release, an error in the next); rename {what} "
_REVIEW = (
    "; check which element controls.waf.applies_to[0] and "
    'tracking["cleartext-sensitive-flow@payments"] mean'
)


def test_one_id_for_a_data_asset_a_boundary_a_component_and_a_flow_warns_with_each_rewrite(
    write_tree,
) -> None:
    write_tree({"threatmodel.yaml": SHARED_EVERYWHERE})
    result = load_with_diagnostics("threatmodel.yaml")
    assert result.model is not None  # loads, as it did before: a warning for one release
    assert [d.format() for d in result.diagnostics] == [
        "threatmodel.yaml:3:3: "
        + _PREFIX.format(what="data asset")
        + "'payments' to 'payments-data' here and in components.payments.stores[0], "
        "components.api.processes[0] and flows[0].data[0]" + _REVIEW,
        "threatmodel.yaml:6:3: "
        + _PREFIX.format(what="boundary")
        + "'payments' to 'payments-zone-2' here and in boundaries.payments-zone.inside and "
        "components.payments.zone" + _REVIEW,
        "threatmodel.yaml:13:5: "
        + _PREFIX.format(what="flow")
        + "'payments' to 'payments-flow' here"
        + _REVIEW,
    ]
    assert {d.code for d in result.diagnostics} == {"id-clash"}
    file = "threatmodel.yaml"
    review = (
        Reference(file, ("controls", "waf", "applies_to", 0)),
        Reference(file, ("tracking", "cleartext-sensitive-flow@payments"), key=True),
    )
    assert result.id_renames == (
        IdRename(
            "flows",
            "payments",
            "payments-flow",
            "components",
            Reference(file, ("flows", 0, "id")),
            (),
            review,
        ),
        IdRename(
            "data",
            "payments",
            "payments-data",
            "components",
            Reference(file, ("data", "payments"), key=True),
            (
                Reference(file, ("components", "payments", "stores", 0)),
                Reference(file, ("components", "api", "processes", 0)),
                Reference(file, ("flows", 0, "data", 0)),
            ),
            review,
        ),
        IdRename(
            "boundaries",
            "payments",
            "payments-zone-2",
            "components",
            Reference(file, ("boundaries", "payments"), key=True),
            (
                Reference(file, ("boundaries", "payments-zone", "inside")),
                Reference(file, ("components", "payments", "zone")),
            ),
            review,
        ),
    )


def test_a_reference_in_an_included_file_is_named_with_its_file(write_tree) -> None:
    write_tree(
        {
            "threatmodel.yaml": """\
            system: {name: Shop}
            include: [parts/services.yaml]
            boundaries:
              core: {trust: trusted}
            components:
              core: {kind: service, zone: core}
            """,
            "parts/services.yaml": """\
            components:
              api: {kind: service, zone: core}
            flows:
              - api -> core: {protocol: https}
            """,
        }
    )
    assert [d.format() for d in load("threatmodel.yaml").warnings if d.code == "id-clash"] == [
        "threatmodel.yaml:4:3: warning: boundary 'core' has the id of component 'core': ids "
        "must be unique across sections (a warning in this release, an error in the next); "
        "rename boundary 'core' to 'core-zone' here and in components.core.zone and "
        "components.api.zone in parts/services.yaml"
    ]


def test_an_arrow_flow_and_a_long_id_get_a_valid_new_id() -> None:
    long_id = "a" * 128
    model = load_text(
        textwrap.dedent(f"""\
            system: {{name: Shop}}
            boundaries:
              z: {{trust: trusted}}
            components:
              {long_id}: {{kind: service, zone: z}}
              b: {{kind: service, zone: z}}
            flows:
              - b -> {long_id}: {{protocol: https, id: {long_id}}}
            """)
    )
    [rename] = plan_id_renames(
        model, {long_id: ("threatmodel.yaml", ("flows", 0, f"b -> {long_id}"))}
    )
    assert rename.new == "a" * 123 + "-flow"
    assert rename.definition == Reference("threatmodel.yaml", ("flows", 0, f"b -> {long_id}", "id"))
    [warning] = [d.format() for d in model.warnings if d.code == "id-clash"]
    assert warning.endswith(f"rename flow '{long_id}' to '{'a' * 123}-flow' here")


UNIQUE_IDS = """\
system: {name: Shop, owner: team}
data:
  card: {classification: restricted}
boundaries:
  internet: {trust: untrusted}
  core: {trust: trusted}
components:
  shopper: {kind: actor, zone: internet}
  payments: {kind: service, zone: core, stores: [card], controls: [waf]}
flows:
  - id: pay
    from: shopper
    to: payments
    protocol: https
    data: [card]
controls:
  waf: {status: implemented, applies_to: [payments]}
"""


def test_a_model_whose_ids_are_unique_has_no_renames_and_no_warning(write_tree) -> None:
    write_tree({"threatmodel.yaml": UNIQUE_IDS})
    result = load_with_diagnostics("threatmodel.yaml")
    assert result.model is not None
    assert (result.id_renames, result.diagnostics) == ((), ())
