"""Attack paths that start inside: a compromised staff account, the corporate network, a
third-party account or a neighbour workload (#15.3), with ``find_paths(insiders=True)`` and
``threatforge paths --insiders``."""

from __future__ import annotations

import json
from pathlib import Path

from analysis_models import model_of
from typer.testing import CliRunner

from threatforge.analysis import find_paths
from threatforge.analysis.attack_paths import insider_entries
from threatforge.cli import app

INSIDE = """\
system: {name: Inside}
data:
  cards: {classification: restricted, categories: [pci.pan]}
boundaries:
  internet: {kind: internet, trust: untrusted}
  office: {kind: corporate, trust: semi-trusted}
  partner: {kind: third-party, trust: semi-trusted}
  app: {kind: vpc, trust: trusted}
components:
  shopper: {kind: actor, zone: internet}
  clerk: {kind: actor, zone: office}
  printer: {kind: service, zone: office}
  carrier: {kind: external-service, zone: partner}
  mailer: {kind: external-service, zone: partner}
  web: {kind: service, zone: app, exposure: public, authn: oauth2, authz: rbac}
  reports: {kind: service, zone: app}
  db: {kind: datastore, zone: app, stores: [cards]}
flows:
  - shopper -> web: {protocol: https}
  - clerk -> reports: {protocol: https, authn: oidc}
  - printer -> reports: {protocol: http, authn: none}
  - carrier -> web: {protocol: https, authn: api-key}
  - web -> mailer: {protocol: https}
  - web -> db: {protocol: postgres, tls: true, authn: iam}
  - reports -> db: {protocol: postgres, tls: true, authn: password}
"""


def test_insiders_are_staff_the_corporate_network_third_parties_and_neighbours() -> None:
    assert dict(insider_entries(model_of(INSIDE))) == {
        "clerk": "compromised staff account (in corporate zone 'office')",
        "printer": "the corporate network 'office'",
        "carrier": "compromised third-party account (it calls into the system)",
        "reports": "compromised neighbour workload (shares zone 'app' with a crown jewel)",
    }
    # not insiders: the shopper and the public web service (entry points already), the mailer
    # (a third party that never calls in), the database (the crown jewel itself)


def test_paths_start_inside_only_when_asked() -> None:
    model = model_of(INSIDE)
    assert find_paths(model).entries == ("shopper", "web")
    search = find_paths(model, insiders=True)
    assert search.entries == ("carrier", "clerk", "printer", "reports", "shopper", "web")
    starts = {(p.entry, p.entry_why) for p in search.paths if p.target == "db"}
    assert (
        "clerk", "assumed compromised: compromised staff account (in corporate zone 'office')"
    ) in starts
    assert ("printer", "assumed compromised: the corporate network 'office'") in starts
    assert {p.flows for p in search.paths if p.entry == "printer"} == {
        ("printer->reports", "reports->db")
    }


def test_the_cli_paths_insiders(tmp_path: Path) -> None:
    model = tmp_path / "threatmodel.yaml"
    model.write_text(INSIDE)
    result = CliRunner().invoke(app, ["paths", str(model), "--insiders", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["entries"] == [
        "carrier", "clerk", "printer", "reports", "shopper", "web"
    ]
    plain = CliRunner().invoke(app, ["paths", str(model), "--format", "json"])
    assert json.loads(plain.stdout)["entries"] == ["shopper", "web"]


def test_a_start_named_with_from_keeps_its_words_without_insiders() -> None:
    model = model_of(INSIDE)
    (path,) = [p for p in find_paths(model, sources=["printer"]).paths if p.target == "db"]
    assert path.entry_why == "assumed compromised: 'printer' is not an entry point"


WORKSTATION = """\
system: {name: Workstation}
data:
  ledger: {classification: restricted, categories: [financial]}
boundaries:
  workstation: {kind: device, trust: semi-trusted}
  cloud: {kind: vpc, trust: trusted}
components:
  browser: {kind: client, zone: workstation}
  finance-user: {kind: actor, zone: workstation}
  helper: {kind: service, zone: workstation, authn: none}
  api: {kind: service, zone: cloud, authn: oidc}
  db: {kind: datastore, zone: cloud, stores: [ledger]}
flows:
  - browser -> helper: {protocol: http}
  - finance-user -> browser: {protocol: local}
  - helper -> api: {protocol: https, authn: oidc}
  - api -> db: {protocol: postgres, tls: true, authn: iam}
"""


def test_people_on_a_workstation_or_lan_are_insider_starts_too() -> None:
    # not in a corporate zone, not untrusted: a web page in the browser or malware on the
    # desktop acts as the user does (issue 15 items 3 and 4: a browser on the same host)
    model = model_of(WORKSTATION)
    assert dict(insider_entries(model)) == {
        "browser": "compromised user or device in zone 'workstation'",
        "finance-user": "compromised user or device in zone 'workstation'",
        "api": "compromised neighbour workload (shares zone 'cloud' with a crown jewel)",
    }
    starts = {(p.entry, p.flows) for p in find_paths(model, insiders=True).paths
              if p.target == "db"}
    assert ("browser", ("browser->helper", "helper->api", "api->db")) in starts
    assert find_paths(model).entries == ()
