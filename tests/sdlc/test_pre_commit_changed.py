"""pre-commit: a change to an included file is checked through the models that include it
(#14.13). Each test is the hook's command line for a commit that touches these files."""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from sdlc_models import (
    BACKDOOR,
    BACKDOOR_FLOW,
    BACKDOOR_TITLE,
    ORDERS,
    ORDERS_WITH_BACKDOOR,
    Invoke,
)

FAILED = (
    'check "Orders" (fail on high or above)\n'
    "open findings: 0 critical, 1 high, 0 elevated, 0 medium, 0 low\n"
    "0 findings not counted because of decisions\n"
    "policy: built-in defaults (decisions expire within 365 days)\n"
    "1 finding at or above high:\n"
    f"  high      {BACKDOOR}  {BACKDOOR_TITLE}\n"
    'gate FAILED for "Orders" (fail on high or above)\n'
)
PASSED = (
    'check "Orders" (fail on high or above)\n'
    "open findings: 0 critical, 0 high, 0 elevated, 0 medium, 0 low\n"
    "0 findings not counted because of decisions\n"
    "policy: built-in defaults (decisions expire within 365 days)\n"
    'gate passed for "Orders" (fail on high or above)\n'
)
HOOKS = Path(__file__).resolve().parents[2] / ".pre-commit-hooks.yaml"


def _hook_command(hook_id: str, staged: list[str]) -> list[str] | None:
    """What pre-commit runs for ``staged`` with the shipped hook: its entry's arguments and
    the staged files its ``files`` pattern selects; None when it selects none (hook skipped)."""
    hooks = yaml.safe_load(HOOKS.read_text(encoding="utf-8"))
    hook = next(h for h in hooks if h["id"] == hook_id)
    selected = [name for name in staged if re.search(hook["files"], name)]
    if not selected:
        return None
    program, *arguments = hook["entry"].split()
    assert program == "threatforge"
    return [*arguments, *selected] if hook["pass_filenames"] else arguments


def _split_model(folder: Path) -> None:
    """services/orders/threatmodel.yaml includes parts/flows.yaml; the backdoor lives there."""
    model = folder / "services" / "orders"
    (model / "parts").mkdir(parents=True)
    (model / "threatmodel.yaml").write_text("include: [parts/flows.yaml]\n" + ORDERS, "utf-8")
    (model / "parts" / "flows.yaml").write_text("flows:\n" + BACKDOOR_FLOW, encoding="utf-8")
    (folder / "other.yaml").write_text("not: a model\n", encoding="utf-8")
    hidden = folder / ".venv" / "threatmodel.yaml"  # broken, not above any file changed here
    hidden.parent.mkdir()
    hidden.write_text("system: [broken\n", encoding="utf-8")


def test_a_change_to_an_included_file_gates_the_model_that_includes_it(
    invoke: Invoke, folder: Path
) -> None:
    _split_model(folder)
    result = invoke("check", "--changed", "services/orders/parts/flows.yaml")
    assert (result.exit_code, result.stdout) == (1, FAILED)


def test_the_shipped_hook_fails_a_commit_that_only_edits_an_included_file(
    invoke: Invoke, folder: Path
) -> None:
    """The attack: the backdoor flow is committed in parts/flows.yaml alone, the model that
    includes it is untouched. (The old hook matched only threatmodel.yaml: skipped, passed.)"""
    _split_model(folder)
    command = _hook_command("threatforge-check", ["services/orders/parts/flows.yaml"])
    assert command == ["check", "--changed", "services/orders/parts/flows.yaml"]
    result = invoke(*command)
    assert (result.exit_code, result.stdout) == (1, FAILED)


def test_a_change_to_an_unrelated_file_checks_nothing(invoke: Invoke, folder: Path) -> None:
    _split_model(folder)
    result = invoke("check", "--changed", "other.yaml", "README.json")
    assert (result.exit_code, result.stdout) == (0, "")
    assert result.stderr == "no threat model is or includes the changed files\n"


def test_validate_changed_validates_the_including_model(invoke: Invoke, folder: Path) -> None:
    _split_model(folder)
    (folder / "services" / "orders" / "parts" / "flows.yaml").write_text(
        "flows:\n  - customer -> ordrs: {protocol: https}\n", encoding="utf-8"
    )
    result = invoke("validate", "--changed", "services/orders/parts/flows.yaml")
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "services/orders/parts/flows.yaml:2:5: error: flow 1 (customer -> ordrs): unknown "
        "component 'ordrs' — did you mean 'orders'?",
        "invalid: services/orders/threatmodel.yaml (1 errors, 0 warnings)",
    ]


def test_an_included_file_turned_into_a_link_out_of_the_folder_fails_closed(
    invoke: Invoke, folder: Path
) -> None:
    """A file the model can no longer read leaves no trace in what it read: the model is
    still checked, and fails, instead of the hook passing."""
    _split_model(folder)
    flows = folder / "services" / "orders" / "parts" / "flows.yaml"
    flows.unlink()
    (folder / "elsewhere.yaml").write_text("flows: []\n", encoding="utf-8")
    flows.symlink_to(folder / "elsewhere.yaml")
    result = invoke("check", "--changed", "services/orders/parts/flows.yaml")
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "services/orders/threatmodel.yaml:1:11: error: include 'parts/flows.yaml' resolves "
        f"outside the model's folder ({folder.resolve() / 'services' / 'orders'}); included files "
        "must sit in the root model's folder or below it",
        "error: services/orders/threatmodel.yaml is not a valid model (1 errors)",
    ]


def test_a_change_beside_a_model_it_does_not_include_checks_nothing(
    invoke: Invoke, folder: Path
) -> None:
    _split_model(folder)
    billing = folder / "services" / "billing"
    billing.mkdir()
    (billing / "threatmodel.yaml").write_text(ORDERS, encoding="utf-8")
    (folder / "services" / "orders" / "parts" / "notes.yaml").write_text("a: 1\n", "utf-8")
    result = invoke("check", "--changed", "services/orders/parts/notes.yaml")
    assert (result.exit_code, result.stdout) == (0, "")
    assert result.stderr == "no threat model is or includes the changed files\n"
    result = invoke("check", "--changed", "services/billing/threatmodel.yaml")
    assert (result.exit_code, result.stdout) == (0, PASSED)


def test_a_changed_model_in_a_hidden_folder_is_checked(invoke: Invoke, folder: Path) -> None:
    """As the hooks' old file pattern did: a model named threatmodel.yaml anywhere."""
    hidden = folder / ".config" / "threatmodel.yaml"
    hidden.parent.mkdir()
    hidden.write_text(ORDERS_WITH_BACKDOOR, encoding="utf-8")
    result = invoke("check", "--changed", ".config/threatmodel.yaml")
    assert (result.exit_code, result.stdout) == (1, FAILED)
