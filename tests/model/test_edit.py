"""Round-trip edits of a person's file: canonical formatting, --fix rewrites, decisions."""

from __future__ import annotations

import dataclasses
import datetime
from importlib import resources
from pathlib import Path

import pytest

from threatforge.model import ModelError, TrackingEntry, TrackingStatus, edit, load, load_text
from threatforge.model.canonical import model_differences, model_digest, models_equal
from threatforge.model.edit import REWRITES, find_fixes, format_text, set_decision
from threatforge.model.loader import load_file_text

ROOT = Path(__file__).resolve().parents[2]
MODEL_FILES = [
    *sorted(ROOT.glob("examples/*/threatmodel.yaml")),
    ROOT / "security" / "threatmodel.yaml",
]


@pytest.mark.parametrize("path", MODEL_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_the_bundled_models_are_canonical(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert format_text(text, str(path)) == text
    assert find_fixes(load(path)) == []  # no control relies on a default that will change
    assert [w.message for w in load(path).warnings if w.code == "control-default"] == []


def test_the_starter_model_of_init_is_canonical() -> None:
    # `threatforge init` then `threatforge fmt --check` in CI must pass before any edit
    text = resources.files("threatforge.model").joinpath("starter.yaml").read_text("utf-8")
    assert format_text(text, "threatmodel.yaml") == text
    assert find_fixes(load_text(text)) == []


def test_the_model_example_in_the_readme_is_canonical() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    example = readme.split("```yaml\nversion: 1\n", 1)[1].split("```", 1)[0]
    text = "version: 1\n" + example
    assert format_text(text, "README.md") == text
    controls = load_file_text(text, "README.md").controls
    assert {
        key: sorted(c.model_fields_set & {"status", "applies_to"}) for key, c in controls.items()
    } == {"cloudfront-throttling": ["applies_to", "status"]}


UNFORMATTED = """\
# Shop: a model with comments everywhere

system:
  owner: shop-team   # who to ask
  name: Shop
boundaries:
  internet: {trust: untrusted}
components:
  # --- people ---
  shopper: {zone: internet, kind: actor}

  api:
    zone: internet       # public on purpose
    # WEAKNESS: no authentication
    authn: none
    kind: gateway
    description: |
      # this is text, not a comment

      second paragraph
    logging: {centralised: true, enabled: true}
flows:
  # the only flow
  - from: shopper   # shoppers call the API
    to: api
    # TLS everywhere
    protocol: https
  - {to: shopper, from: api, protocol: https}
controls:
  waf: {name: Edge WAF, mitigates: [some-rule]}
  review:
    # who signs it off
    name: Design review
    applies_to: []
# end of the model
"""

FORMATTED = """\
# Shop: a model with comments everywhere

system:
  name: Shop
  owner: shop-team   # who to ask
boundaries:
  internet: {trust: untrusted}
components:
  # --- people ---
  shopper: {kind: actor, zone: internet}

  api:
    kind: gateway
    description: |
      # this is text, not a comment

      second paragraph
    zone: internet       # public on purpose
    # WEAKNESS: no authentication
    authn: none
    logging: {enabled: true, centralised: true}
flows:
  # the only flow
  - shopper -> api: # shoppers call the API
      # TLS everywhere
      protocol: https
  - api -> shopper: {protocol: https}
controls:
  waf: {name: Edge WAF, mitigates: [some-rule]}
  review:
    # who signs it off
    name: Design review
    applies_to: []
# end of the model
"""

FIXED_CONTROLS = """\
controls:
  waf: {name: Edge WAF, status: implemented, mitigates: [some-rule], applies_to: ["*"]}
  review:
    # who signs it off
    name: Design review
    status: implemented
    applies_to: ["*"]
# end of the model
"""


def test_formatting_orders_keys_uses_arrows_and_keeps_every_comment_exactly() -> None:
    formatted = format_text(UNFORMATTED, "threatmodel.yaml")
    assert formatted == FORMATTED
    assert format_text(formatted, "threatmodel.yaml") == formatted  # idempotent
    assert models_equal(load_text(UNFORMATTED), load_text(formatted))


def test_fix_writes_status_and_applies_to_with_comments_kept(tmp_path: Path) -> None:
    path = tmp_path / "threatmodel.yaml"
    path.write_text(UNFORMATTED, encoding="utf-8")
    model = load(path)
    assert sorted(w.message for w in model.warnings if w.code == "control-default") == [
        "control 'review' has no 'applies_to': it applies to every element for now, but "
        "'applies_to' becomes required; write 'applies_to: [\"*\"]' to keep today's meaning, "
        "or name the elements (threatforge fmt --fix writes the first)",
        "control 'review' has no 'status': it counts as implemented for now, but the default "
        "becomes 'planned'; write 'status: implemented' to keep today's meaning "
        "(threatforge fmt --fix writes it)",
        "control 'waf' has no 'applies_to': it applies to every element for now, but "
        "'applies_to' becomes required; write 'applies_to: [\"*\"]' to keep today's meaning, "
        "or name the elements (threatforge fmt --fix writes the first)",
        "control 'waf' has no 'status': it counts as implemented for now, but the default "
        "becomes 'planned'; write 'status: implemented' to keep today's meaning "
        "(threatforge fmt --fix writes it)",
    ]
    fixes = find_fixes(model)
    assert [(f.rewrite, f.element_id, f.message, f.location.line) for f in fixes] == [
        ("control-status", "waf", "control 'waf': status: implemented", 30),
        ("control-status", "review", "control 'review': status: implemented", 31),
        ("control-applies-to", "waf", "control 'waf': applies_to: [\"*\"]", 30),
        ("control-applies-to", "review", "control 'review': applies_to: [\"*\"]", 31),
    ]
    fixed = format_text(UNFORMATTED, str(path), fixes)
    assert fixed == FORMATTED.split("controls:\n")[0] + FIXED_CONTROLS
    again = load_text(fixed)
    assert again.warnings == ()
    assert models_equal(model, again)  # the rewrites keep today's meaning


def test_the_rewrites_are_named_and_described() -> None:
    assert [(r.name, r.summary) for r in REWRITES] == [
        (
            "control-status",
            "a control without 'status' gets 'status: implemented' (today's meaning)",
        ),
        (
            "control-applies-to",
            "a control without 'applies_to' (or with an empty one) gets 'applies_to: [\"*\"]' "
            "(today's meaning: every element)",
        ),
    ]


def test_an_invalid_file_is_not_formatted() -> None:
    with pytest.raises(ModelError, match="missing required field 'kind'"):
        format_text("system: {name: x}\ncomponents:\n  a: {kindd: actor}\n", "bad.yaml")


def test_an_included_file_without_system_formats(tmp_path: Path) -> None:
    text = "components:\n  b: {zone: z, kind: service}  # the b\n"
    assert format_text(text, "part.yaml") == "components:\n  b: {kind: service, zone: z}  # the b\n"


# --- decisions -------------------------------------------------------------------------------

WITH_TRACKING = """\
system: {name: Shop}
components:
  api: {kind: gateway}  # the API
# decisions, newest last
tracking:
  # agreed in the review of 2026-11-02
  "old-rule@api": {status: open}
"""


def _accepted(owner: str = "alice") -> TrackingEntry:
    return TrackingEntry(
        status=TrackingStatus.ACCEPTED,
        justification="throttled at CloudFront: yes",
        owner=owner,
        expires=datetime.date(2027, 3, 31),
    )


def test_set_decision_adds_an_entry_and_keeps_the_rest_of_the_file(tmp_path: Path) -> None:
    path = tmp_path / "threatmodel.yaml"
    path.write_text(WITH_TRACKING, encoding="utf-8")
    written = set_decision(path, "missing-rate-limit@api", _accepted())
    assert written == WITH_TRACKING + (
        '  "missing-rate-limit@api":\n'
        "    status: accepted\n"
        '    justification: "throttled at CloudFront: yes"\n'
        "    owner: alice\n"
        "    expires: 2027-03-31\n"
    )
    assert path.read_text(encoding="utf-8") == written
    decision = load(path).tracking["missing-rate-limit@api"]
    assert (decision.status, decision.justification, decision.expires) == (
        TrackingStatus.ACCEPTED,
        "throttled at CloudFront: yes",
        datetime.date(2027, 3, 31),
    )


def test_set_decision_replaces_an_entry_in_place(tmp_path: Path) -> None:
    path = tmp_path / "threatmodel.yaml"
    path.write_text(WITH_TRACKING, encoding="utf-8")
    written = set_decision(path, "old-rule@api", _accepted("bob"))
    assert written == WITH_TRACKING.replace(
        '  "old-rule@api": {status: open}\n',
        '  "old-rule@api":\n'
        "    status: accepted\n"
        '    justification: "throttled at CloudFront: yes"\n'
        "    owner: bob\n"
        "    expires: 2027-03-31\n",
    )


def test_set_decision_on_an_empty_tracking_section(tmp_path: Path) -> None:
    path = tmp_path / "threatmodel.yaml"
    path.write_text("system: {name: Shop}\n# decisions\ntracking: {}\n", encoding="utf-8")
    written = set_decision(path, "r@x", TrackingEntry(status=TrackingStatus.IN_PROGRESS))
    assert (
        written
        == 'system: {name: Shop}\n# decisions\ntracking:\n  "r@x":\n    status: in-progress\n'
    )
    assert models_equal(
        load(path),
        load_text('system: {name: Shop}\ntracking:\n  "r@x": {status: in-progress}\n'),
    ), model_differences(load(path), load_text("system: {name: Shop}\n"))


def test_set_decision_refuses_a_symlinked_model(tmp_path: Path) -> None:
    real = tmp_path / "real.yaml"
    real.write_text(WITH_TRACKING, encoding="utf-8")
    (tmp_path / "threatmodel.yaml").symlink_to(real)
    with pytest.raises(ModelError, match="is a symlink; refusing to write through it"):
        set_decision(tmp_path / "threatmodel.yaml", "r@api", _accepted())
    assert real.read_text(encoding="utf-8") == WITH_TRACKING


# Digests of the bundled models as they were before `threatforge fmt --fix` reformatted them
# (commit c58f788): equal digests are equal models (test_canonical.py), so the reformatting
# changed no meaning. A deliberate change to an example's meaning updates its digest here.
DIGESTS_BEFORE_FMT = {
    "examples/card-checkout/threatmodel.yaml": (
        "9ec1846b4ce7236313b6fb82f9d2b248e320b8a3ce53f88b0472d2d96ea176d4"
    ),
    "examples/k8s-platform/threatmodel.yaml": (
        "9ab46484625d87a011fd466e7cedfd66f7e8603f58c399e794f0ddbeac875530"
    ),
    # it gained three team threats (threats:, #15.6); without them its digest is still
    # 7bddaf42cec98f2f42858d410428ab6ab891233fb68f90c419869e3ca30ee934 (tested below)
    "examples/partner-api/threatmodel.yaml": (
        "f85542f5f6783f6930d43aa06dbf78219d1edc16fa092e8e11bf5f096bdbab71"
    ),
    "examples/refund-service/threatmodel.yaml": (
        "8f6139dc81286dc6a63beb88c44d3ea4ff72c5162db498fc7ff8e88c4ec0ce08"
    ),
    # its boundary 'plugins' was renamed 'plugins-zone' (ids unique across sections, #14.19)
    "security/threatmodel.yaml": "341eb432321eb178139e662193052ac5ca59c2c85a91718b4a09f004b42dc0e9",
}


def test_reformatting_the_bundled_models_kept_their_meaning() -> None:
    assert {
        str(path.relative_to(ROOT)): model_digest(load(path)) for path in MODEL_FILES
    } == DIGESTS_BEFORE_FMT


def test_partner_api_changed_only_by_its_team_threats() -> None:
    model = load(ROOT / "examples/partner-api/threatmodel.yaml")
    assert list(model.threats) == ["webhook-replay", "graphql-cost", "bulk-export"]
    assert model_digest(dataclasses.replace(model, threats={})) == (
        "7bddaf42cec98f2f42858d410428ab6ab891233fb68f90c419869e3ca30ee934"
    )


COMMENT_IN_A_FLOW_MAPPING = """\
system: {name: Shop}
components:
  web: {
    kind: service,  # the front end
    zone: dmz
  }
  api: {kind: service, tags: [
    b,  # keep b first
    a]}
boundaries:
  dmz: {trust: trusted}
"""

FLOW_COMMENT_REFUSED = (
    "error: a comment inside a flow collection ({...} or [...] over several lines) cannot be "
    "kept when the file is rewritten: move it to its own line above the collection, or write "
    "the collection in block style; nothing was written"
)


def test_a_comment_inside_a_flow_collection_is_refused_not_dropped() -> None:
    # ruamel writes a flow collection on one line and drops (or moves) the comments inside it
    with pytest.raises(ModelError) as caught:
        format_text(COMMENT_IN_A_FLOW_MAPPING, "threatmodel.yaml")
    assert [d.format() for d in caught.value.diagnostics] == [
        f"threatmodel.yaml:4:21: {FLOW_COMMENT_REFUSED}",
        f"threatmodel.yaml:8:9: {FLOW_COMMENT_REFUSED}",
    ]


def test_set_decision_refuses_a_file_with_a_comment_inside_a_flow_collection(
    tmp_path: Path,
) -> None:
    path = tmp_path / "threatmodel.yaml"
    path.write_text(COMMENT_IN_A_FLOW_MAPPING, encoding="utf-8")
    with pytest.raises(ModelError) as caught:
        set_decision(path, "missing-rate-limit@api", _accepted())
    assert caught.value.diagnostics[0].format() == f"{path}:4:21: {FLOW_COMMENT_REFUSED}"
    assert path.read_text(encoding="utf-8") == COMMENT_IN_A_FLOW_MAPPING


def test_a_comment_the_rewrite_would_lose_stops_it(monkeypatch: pytest.MonkeyPatch) -> None:
    # the last check before a write: were the comments at the end of the file not put back,
    # formatting would lose "# end of the model"; it raises instead of returning the text
    monkeypatch.setattr(edit, "_attach_trailing", lambda tree, trailing: None)
    with pytest.raises(ModelError) as caught:
        format_text(UNFORMATTED, "threatmodel.yaml")
    assert [d.format() for d in caught.value.diagnostics] == [
        "threatmodel.yaml: error: rewriting threatmodel.yaml would not keep its comments "
        "exactly (# end of the model); nothing was written (please report this)"
    ]


@pytest.mark.parametrize("path", MODEL_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_a_decision_in_a_bundled_model_changes_only_its_own_lines(
    path: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "threatmodel.yaml"
    text = path.read_text(encoding="utf-8")
    copy.write_text(text, encoding="utf-8")
    written = set_decision(
        copy, "missing-rate-limit@nowhere", TrackingEntry(status=TrackingStatus.OPEN)
    )
    entry = '  "missing-rate-limit@nowhere":\n    status: open\n'
    if "\ntracking: {}\n" in text:
        assert written == text.replace("\ntracking: {}\n", "\ntracking:\n" + entry)
    else:
        assert written == text + entry
    assert copy.read_text(encoding="utf-8") == written
