"""Plugins load only from the installed environment, never from the checkout (#14.2).

The attack: a pull request commits ``evil.dist-info/entry_points.txt`` and the module it names
(which would write a marker file when imported), and CI runs ``python -m threatforge check``
from the checkout, or with ``PYTHONPATH=.``. Each test runs that as a child process.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

MODEL = """\
system: {name: Plugins}
components:
  app: {kind: service, zone: vpc}
boundaries:
  vpc: {trust: trusted}
"""
EVIL_MODULE = """\
from pathlib import Path
Path({marker!r}).write_text("imported", encoding="utf-8")
rules = []
"""
GOOD_MODULE = """\
from threatforge.rules import PASS, RuleMeta, Stride, Target, rule


@rule(RuleMeta(id="acme-approved", title="{{element}} is approved", description="d",
               target=Target.COMPONENT, likelihood=1, impact=1, mitigations=("m",),
               detection="d", cwe=(1059,), stride=(Stride.TAMPERING,)))
def approved(component, model):
    return PASS


rules = [approved]
"""


def _plant_distribution(folder: Path, name: str, module: str, text: str) -> None:
    """A ``NAME.dist-info`` whose ``threatforge.rules`` entry point names ``module:rules``."""
    info = folder / f"{name}-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n", encoding="utf-8"
    )
    (info / "entry_points.txt").write_text(
        f"[threatforge.rules]\n{name} = {module}:rules\n", encoding="utf-8"
    )
    (folder / f"{module}.py").write_text(text, encoding="utf-8")


def _check(
    cwd: Path, *args: str, pythonpath: str | None = ".", **env: str
) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH",)}
    environment.pop("THREATFORGE_NO_PLUGINS", None)
    environment.update(NO_COLOR="1", PYTHONDONTWRITEBYTECODE="1", **env)
    if pythonpath is not None:
        environment["PYTHONPATH"] = pythonpath
    return subprocess.run(
        [sys.executable, "-m", "threatforge", "check", *args],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    """A checkout with a model and a committed fake distribution that writes a marker."""
    repo = tmp_path / "checkout"
    repo.mkdir()
    (repo / "threatmodel.yaml").write_text(MODEL, encoding="utf-8")
    marker = tmp_path / "pwned"
    _plant_distribution(repo, "evil", "evil_rules", EVIL_MODULE.format(marker=str(marker)))
    return repo


def test_a_distribution_committed_in_the_checkout_is_not_imported(checkout: Path) -> None:
    run = _check(checkout, "threatmodel.yaml")
    assert not (checkout.parent / "pwned").exists()
    assert run.returncode == 0, run.stderr
    assert run.stderr == "plugins: none installed\n"


def test_a_distribution_in_the_models_folder_is_not_imported(tmp_path: Path) -> None:
    cwd = tmp_path / "ci"
    cwd.mkdir()
    models = tmp_path / "models"
    models.mkdir()
    (models / "threatmodel.yaml").write_text(MODEL, encoding="utf-8")
    marker = tmp_path / "pwned"
    _plant_distribution(models, "evil", "evil_rules", EVIL_MODULE.format(marker=str(marker)))
    run = _check(cwd, str(models / "threatmodel.yaml"), pythonpath=str(models))
    assert not marker.exists()
    assert run.returncode == 0, run.stderr
    assert run.stderr == "plugins: none installed\n"


def test_a_module_in_the_checkout_cannot_shadow_an_installed_plugin(
    checkout: Path, tmp_path: Path
) -> None:
    installed = tmp_path / "site"  # stands for site-packages: outside the checkout
    _plant_distribution(installed, "acme", "acme_rules", GOOD_MODULE)
    marker = tmp_path / "shadowed"
    (checkout / "acme_rules.py").write_text(EVIL_MODULE.format(marker=str(marker)), "utf-8")
    run = _check(checkout, "threatmodel.yaml", pythonpath=f".{os.pathsep}{installed}")
    assert not marker.exists()
    assert not (checkout.parent / "pwned").exists()
    assert run.returncode == 0, run.stderr
    assert run.stderr == "plugin: acme = acme_rules:rules from acme 1.0 (1 rule)\n"


@pytest.mark.parametrize(
    ("args", "env"),
    [(("--no-plugins",), {}), ((), {"THREATFORGE_NO_PLUGINS": "1"})],
    ids=["flag", "environment"],
)
def test_plugins_can_be_switched_off(
    checkout: Path, tmp_path: Path, args: tuple[str, ...], env: dict[str, str]
) -> None:
    installed = tmp_path / "site"
    marker = tmp_path / "loaded"
    _plant_distribution(installed, "acme", "acme_rules", EVIL_MODULE.format(marker=str(marker)))
    run = _check(checkout, "threatmodel.yaml", *args, pythonpath=str(installed), **env)
    assert not marker.exists()
    assert run.returncode == 0, run.stderr
    assert run.stderr == "plugins: none loaded (--no-plugins or THREATFORGE_NO_PLUGINS=1)\n"


def _command(
    cwd: Path, argv: list[str], *, pythonpath: str, env: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH",)}
    environment.pop("THREATFORGE_NO_PLUGINS", None)
    environment.update(NO_COLOR="1", PYTHONDONTWRITEBYTECODE="1", PYTHONPATH=pythonpath, **env)
    return subprocess.run(
        [sys.executable, "-m", "threatforge", *argv],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


EVERY_COMMAND_THAT_RUNS_RULES = [
    ["analyze", "threatmodel.yaml"],
    ["diff", "threatmodel.yaml", "threatmodel.yaml"],
    ["report", "threatmodel.yaml", "-o", "report.md"],
    ["diagram", "threatmodel.yaml", "-o", "diagram.mmd"],
    ["requirements", "threatmodel.yaml"],
    ["rules", "list"],
]


SWITCHES = [
    pytest.param(argv, switch, id=f"{argv[0]}-{switch}")
    for argv in EVERY_COMMAND_THAT_RUNS_RULES
    for switch in ("flag", "environment")
    if not (switch == "flag" and argv[0] == "rules")  # the rules commands: environment only
]


@pytest.mark.parametrize(("argv", "switch"), SWITCHES)
def test_every_command_that_runs_rules_can_switch_plugins_off(
    checkout: Path, tmp_path: Path, argv: list[str], switch: str
) -> None:
    installed = tmp_path / "site"
    marker = tmp_path / "loaded"
    _plant_distribution(installed, "acme", "acme_rules", EVIL_MODULE.format(marker=str(marker)))
    args = [*argv, "--no-plugins"] if switch == "flag" else argv
    env = {"THREATFORGE_NO_PLUGINS": "1"} if switch == "environment" else {}
    run = _command(checkout, args, pythonpath=str(installed), env=env)
    assert run.returncode == 0, run.stderr
    assert not marker.exists()
    # and the same command without the switch does load it (so this test can fail)
    if argv[0] != "rules" and switch == "flag":
        _command(checkout, argv, pythonpath=str(installed), env={})
        assert marker.exists()


@pytest.mark.parametrize(
    "argv",
    [
        ["analyze", "{model}"],
        ["diff", "{model}", "{model}"],
        ["report", "{model}", "-o", "report.md"],
        ["diagram", "{model}", "-o", "diagram.mmd"],
        ["requirements", "{model}"],
    ],
    ids=lambda a: a[0],
)
def test_no_command_imports_a_distribution_in_the_models_folder(
    tmp_path: Path, argv: list[str]
) -> None:
    cwd = tmp_path / "ci"
    cwd.mkdir()
    models = tmp_path / "models"
    models.mkdir()
    (models / "threatmodel.yaml").write_text(MODEL, encoding="utf-8")
    marker = tmp_path / "pwned"
    _plant_distribution(models, "evil", "evil_rules", EVIL_MODULE.format(marker=str(marker)))
    model = str(models / "threatmodel.yaml")
    run = _command(cwd, [a.format(model=model) for a in argv], pythonpath=str(models), env={})
    assert run.returncode == 0, run.stderr
    assert not marker.exists()
