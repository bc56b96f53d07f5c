"""Warnings: facts the rules need but the model does not state (model gaps), at exact places."""

from __future__ import annotations

from threatforge.model import Level, Location, load_text, load_with_diagnostics

GAPPY = """\
system: {name: Shop}
data:
  orders: {classification: confidential}
  unused: {classification: internal}
boundaries:
  dmz: {trust: trusted}
components:
  web: {kind: service}
  db: {kind: datastore, zone: dmz, stores: [orders]}
  cache:
    kind: cache
    zone: dmz
    encryption: {in_transit: true}
  q: {kind: queue, zone: dmz, encryption: {at_rest: none}}
  api: {kind: service, zone: dmz}
flows:
  - web -> api: {}
  - from: api
    to: q
  - api -> cache: {protocol: redis}
"""


def test_each_gap_is_warned_at_its_element(diagnose):
    # 'q' states 'at_rest: none' (a fact for rules to judge) and 'api->cache' a protocol: no gap
    assert diagnose(GAPPY) == [
        "threatmodel.yaml:4:3: warning: data asset 'unused' is not stored, processed or carried"
        " by anything",
        "threatmodel.yaml:8:3: warning: component 'web' has no 'zone': boundary rules"
        " cannot decide",
        "threatmodel.yaml:9:3: warning: datastore 'db' does not state 'encryption: {at_rest: ...}'"
        " (none, provider, kms, kms-cmk, hsm, application)",
        "threatmodel.yaml:10:3: warning: cache 'cache' does not state 'encryption: {at_rest: ...}'"
        " (none, provider, kms, kms-cmk, hsm, application)",
        "threatmodel.yaml:17:5: warning: flow 'web->api' has no 'protocol': encryption rules"
        " cannot decide",
        "threatmodel.yaml:18:5: warning: flow 'api->q' has no 'protocol': encryption rules"
        " cannot decide",
    ]


def test_warnings_do_not_stop_the_load():
    model = load_text(GAPPY)
    assert sorted(model.components) == ["api", "cache", "db", "q", "web"]
    assert [(w.level, w.location, w.code) for w in model.warnings][:2] == [
        (Level.WARNING, Location("threatmodel.yaml", 4, 3), "gap"),
        (Level.WARNING, Location("threatmodel.yaml", 8, 3), "gap"),
    ]


def test_data_carried_only_by_a_flow_is_used(diagnose):
    text = """\
        system: {name: Shop}
        data:
          token: {classification: confidential}
        boundaries:
          dmz: {trust: trusted}
        components:
          web: {kind: service, zone: dmz}
          api: {kind: service, zone: dmz}
        flows:
          - web -> api: {protocol: https, data: [token]}
        """
    assert diagnose(text) == []


def test_no_warnings_when_there_are_errors(write_tree):
    write_tree({"threatmodel.yaml": GAPPY + "  - api -> nowhere: {protocol: https}\n"})
    result = load_with_diagnostics("threatmodel.yaml")
    assert result.warnings == ()
    assert [d.format() for d in result.errors] == [
        "threatmodel.yaml:21:5: error: flow 4 (api -> nowhere): unknown component 'nowhere'"
    ]


def test_gaps_in_an_included_file_point_into_it(write_tree):
    write_tree(
        {
            "threatmodel.yaml": "system: {name: Shop}\ninclude: [stores.yaml]\n",
            "stores.yaml": "components:\n  db: {kind: datastore}\n",
        }
    )
    result = load_with_diagnostics("threatmodel.yaml")
    assert result.model is not None
    assert [d.format() for d in result.model.warnings] == [
        "stores.yaml:2:3: warning: component 'db' has no 'zone': boundary rules cannot decide",
        "stores.yaml:2:3: warning: datastore 'db' does not state 'encryption: {at_rest: ...}'"
        " (none, provider, kms, kms-cmk, hsm, application)",
    ]
    assert result.warnings == result.model.warnings
