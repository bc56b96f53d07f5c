"""``include:``: merged elements keep their own file's positions; escapes and loops are refused."""

from __future__ import annotations

import os

import pytest

from threatforge.model import Location, load, load_with_diagnostics

ROOT = """\
system: {name: Shop}
include:
  - parts/services.yaml
boundaries:
  dmz: {trust: trusted}
data:
  orders: {classification: confidential}
components:
  web: {kind: service, zone: dmz, processes: [orders]}
"""

SERVICES = """\
components:
  api: {kind: service, zone: dmz, processes: [orders]}
  db:
    kind: datastore
    zone: dmz
    stores: [orders]
    encryption: {at_rest: kms}
flows:
  - web -> api: {protocol: https, data: [orders]}
  - from: api
    to: db
    protocol: postgres
    tls: true
"""


def errors(root: str = "threatmodel.yaml") -> list[str]:
    result = load_with_diagnostics(root)
    assert result.model is None
    return [d.format() for d in result.diagnostics]


def test_included_elements_are_merged_with_their_own_locations(write_tree):
    write_tree({"threatmodel.yaml": ROOT, "parts/services.yaml": SERVICES})
    model = load("threatmodel.yaml")
    assert model.files == ("threatmodel.yaml", "parts/services.yaml")
    assert {cid: c.location for cid, c in model.components.items()} == {
        "web": Location("threatmodel.yaml", 9, 3),
        "api": Location("parts/services.yaml", 2, 3),
        "db": Location("parts/services.yaml", 3, 3),
    }
    assert [(f.id, f.location) for f in model.flows] == [
        ("web->api", Location("parts/services.yaml", 9, 5)),
        ("api->db", Location("parts/services.yaml", 10, 5)),
    ]
    assert model.data["orders"].location == Location("threatmodel.yaml", 7, 3)
    assert model.warnings == ()


def test_errors_in_an_included_file_point_into_it(write_tree):
    write_tree(
        {
            "threatmodel.yaml": ROOT,
            "parts/services.yaml": SERVICES.replace("zone: dmz, processes", "zone: dnz, processes"),
        }
    )
    assert errors() == [
        "parts/services.yaml:2:30: error: component 'api': unknown boundary 'dnz'"
        " — did you mean 'dmz'?"
    ]


def test_duplicate_id_across_files_names_the_first_location(write_tree):
    write_tree(
        {
            "threatmodel.yaml": ROOT,
            "parts/services.yaml": SERVICES.replace("  api: {", "  web: {kind: actor}\n  api: {"),
        }
    )
    assert errors() == [
        "parts/services.yaml:2:3: error: duplicate component 'web'"
        " (first defined at threatmodel.yaml:9:3)"
    ]


def test_duplicate_flow_across_files(write_tree):
    write_tree(
        {
            "threatmodel.yaml": ROOT + "  api: {kind: service, zone: dmz}\n"
            "flows:\n  - web -> api: {protocol: https}\n",
            "parts/services.yaml": "flows:\n  - web -> api: {protocol: grpcs}\n",
        }
    )
    assert errors() == [
        "parts/services.yaml:2:5: error: flow 1: a second flow with id 'web->api'"
        " (first at threatmodel.yaml:12:5); give each flow between the same components"
        " its own 'id:'"
    ]


def test_system_only_in_the_root(write_tree):
    write_tree(
        {
            "threatmodel.yaml": ROOT,
            "parts/services.yaml": "system: {name: Other}\n" + SERVICES,
        }
    )
    assert errors() == [
        "parts/services.yaml:1:1: error: 'system:' may only be set in the root model file,"
        " not in an included file"
    ]


def test_include_outside_the_model_folder(write_tree):
    root = write_tree(
        {
            "model/threatmodel.yaml": "system: {name: Shop}\ninclude:\n  - ../x.yaml\n",
            "x.yaml": "components: {}\n",
        }
    )
    os.chdir(root / "model")
    folder = os.path.realpath(root / "model")
    assert errors() == [
        f"threatmodel.yaml:3:5: error: include '../x.yaml' resolves outside the model's folder"
        f" ({folder}); included files must sit in the root model's folder or below it"
    ]


def test_include_that_goes_out_and_back_in_is_fine(write_tree):
    root = write_tree(
        {
            "model/threatmodel.yaml": "system: {name: Shop}\ninclude: [../model/parts.yaml]\n",
            "model/parts.yaml": "boundaries: {dmz: {trust: trusted}}\n",
        }
    )
    os.chdir(root / "model")
    assert list(load("threatmodel.yaml").boundaries) == ["dmz"]


@pytest.mark.parametrize(
    "path", ["/etc/passwd", "C:\\\\models\\\\x.yaml"], ids=["posix", "windows"]
)
def test_absolute_include(write_tree, path):
    write_tree({"threatmodel.yaml": f'system: {{name: Shop}}\ninclude: ["{path}"]\n'})
    shown = path.replace("\\\\", "\\")
    assert errors() == [
        f"threatmodel.yaml:2:11: error: include '{shown}' is an absolute path; use a path relative"
        " to threatmodel.yaml"
    ]


def test_include_loop(write_tree):
    write_tree(
        {
            "threatmodel.yaml": "system: {name: Shop}\ninclude: [a.yaml]\n",
            "a.yaml": "include: [b.yaml]\n",
            "b.yaml": "include: [a.yaml]\n",
        }
    )
    assert errors() == [
        "b.yaml:1:11: error: include 'a.yaml' makes a loop:"
        " threatmodel.yaml -> a.yaml -> b.yaml -> a.yaml"
    ]


def test_include_of_the_root_is_a_loop(write_tree):
    write_tree(
        {
            "threatmodel.yaml": "system: {name: Shop}\ninclude: [parts/a.yaml]\n",
            "parts/a.yaml": "include: [../threatmodel.yaml]\n",
        }
    )
    assert errors() == [
        "parts/a.yaml:1:11: error: include '../threatmodel.yaml' makes a loop:"
        " threatmodel.yaml -> parts/a.yaml -> threatmodel.yaml"
    ]


def test_file_included_twice(write_tree):
    write_tree(
        {
            "threatmodel.yaml": ROOT.replace(
                "  - parts/services.yaml\n", "  - parts/services.yaml\n  - parts/more.yaml\n"
            ),
            "parts/services.yaml": SERVICES,
            "parts/more.yaml": "include: [services.yaml]\n",
        }
    )
    assert errors() == [
        "parts/more.yaml:1:11: error: include 'services.yaml' is already included"
        " (parts/services.yaml)"
    ]


def test_same_include_listed_twice(write_tree):
    write_tree(
        {
            "threatmodel.yaml": ROOT.replace(
                "  - parts/services.yaml\n", "  - parts/services.yaml\n  - ./parts/services.yaml\n"
            ),
            "parts/services.yaml": SERVICES,
        }
    )
    assert errors() == [
        "threatmodel.yaml:4:5: error: include './parts/services.yaml' is already included"
        " (parts/services.yaml)"
    ]


def test_symlink_inside_the_folder_pointing_outside(write_tree):
    root = write_tree(
        {
            "model/threatmodel.yaml": "system: {name: Shop}\ninclude: [parts/link.yaml]\n",
            "secret.yaml": "components: {}\n",
        }
    )
    (root / "model" / "parts").mkdir()
    os.symlink(root / "secret.yaml", root / "model" / "parts" / "link.yaml")
    os.chdir(root / "model")
    folder = os.path.realpath(root / "model")
    assert errors() == [
        f"threatmodel.yaml:2:11: error: include 'parts/link.yaml' resolves outside the model's"
        f" folder ({folder}); included files must sit in the root model's folder or below it"
    ]


def test_symlink_inside_the_folder_pointing_inside_is_fine(write_tree):
    root = write_tree(
        {
            "threatmodel.yaml": "system: {name: Shop}\ninclude: [link.yaml]\n",
            "parts/real.yaml": "boundaries: {dmz: {trust: trusted}}\n",
        }
    )
    os.symlink(root / "parts" / "real.yaml", root / "link.yaml")
    model = load("threatmodel.yaml")
    assert model.boundaries["dmz"].location == Location("link.yaml", 1, 14)


def test_missing_and_directory_includes(write_tree):
    write_tree(
        {
            "threatmodel.yaml": "system: {name: Shop}\ninclude: [parts/missing.yaml, parts]\n",
            "parts/x.yaml": "components: {}\n",
        }
    )
    assert errors() == [
        "parts: error: is a directory, not a model file",
        "parts/missing.yaml: error: no such file",
    ]


def test_include_in_text_needs_a_file(diagnose):
    assert diagnose("system: {name: Shop}\ninclude: [parts.yaml]\n") == [
        "threatmodel.yaml:2:10: error: 'include:' needs a model file on disk"
    ]
