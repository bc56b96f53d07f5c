"""Which rules exist: the built-in list, plugins (entry points) and YAML packs.

Plugins load only from the installed environment: entry points are looked up in the
``sys.path`` entries that are not the current directory (``''`` or its path), not inside it and
not inside a model's folder, unless they belong to the interpreter's own prefix (its
site-packages, also for a virtual environment kept in the project). The plugin's module is
imported with the same entries only, so a committed ``evil.dist-info`` or a module shadowing a
real plugin in the checkout is never imported (run under ``python -m threatforge`` or
``PYTHONPATH=.``).
"""

from __future__ import annotations

import os
import site
import sys
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from importlib import metadata
from pathlib import Path
from typing import Any

from threatforge.errors import RuleError
from threatforge.rules.interface import Rule

__all__ = [
    "ENTRY_POINT_GROUP",
    "Plugin",
    "RuleSet",
    "builtin_rules",
    "entry_points",
    "load_rule_set",
    "trusted_paths",
]

ENTRY_POINT_GROUP = "threatforge.rules"


def _under(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def trusted_paths(untrusted: Sequence[str | os.PathLike[str]] = ()) -> list[str]:
    """The ``sys.path`` entries plugins may come from.

    Left out: ``''`` (the current directory) and every entry that is the current directory, a
    folder in ``untrusted`` (the models' folders) or inside one of them, unless it lies in the
    interpreter's installation (``sys.prefix`` and friends, the site-packages folders).
    """
    installed = {
        os.path.realpath(p)
        for p in (
            sys.prefix,
            sys.base_prefix,
            sys.exec_prefix,
            sys.base_exec_prefix,
            *site.getsitepackages(),
            site.getusersitepackages(),
        )
        if p
    }
    refused = [os.path.realpath(os.getcwd())]
    refused.extend(os.path.realpath(os.fspath(p)) for p in untrusted)
    kept: list[str] = []
    for entry in sys.path:
        if not entry:
            continue
        real = os.path.realpath(entry)
        if any(_under(real, folder) for folder in installed) or not any(
            _under(real, folder) for folder in refused
        ):
            kept.append(entry)
    return kept


def entry_points(
    *, group: str, untrusted: Sequence[str | os.PathLike[str]] = ()
) -> list[metadata.EntryPoint]:
    """The entry points of ``group`` in the installed environment (one per distribution)."""
    found: list[metadata.EntryPoint] = []
    seen: set[str] = set()
    for distribution in metadata.distributions(path=trusted_paths(untrusted)):
        name = _normalised(distribution.metadata["Name"] or "")
        if name in seen:
            continue  # the first on the path wins, as for imports
        seen.add(name)
        found.extend(distribution.entry_points.select(group=group))
    return found


def _normalised(name: str) -> str:
    return name.lower().replace("-", "_").replace(".", "_")


@contextmanager
def _importing_from(paths: list[str]) -> Iterator[None]:
    """Imports see only ``paths`` for the duration (``sys.path`` restored afterwards)."""
    saved = list(sys.path)
    sys.path[:] = paths
    try:
        yield
    finally:
        sys.path[:] = saved


@dataclass(frozen=True, slots=True)
class Plugin:
    """A plugin that was loaded: its entry point, where it came from and the rules it gave."""

    name: str
    value: str
    distribution: str
    version: str
    rules: tuple[str, ...]

    def __str__(self) -> str:
        count = len(self.rules)
        return (
            f"{self.name} = {self.value} from {self.distribution} {self.version} "
            f"({count} rule{'s' if count != 1 else ''})"
        )


def builtin_rules() -> tuple[Rule, ...]:
    """Every built-in rule, in a stable order."""
    from threatforge.rules.builtin import BUILTIN_RULES

    return BUILTIN_RULES


@dataclass(frozen=True)
class RuleSet:
    """The rules for a run, and the plugins or packs that could not be loaded."""

    rules: tuple[Rule, ...]
    problems: tuple[str, ...]
    plugins: tuple[Plugin, ...] = ()
    """The plugins loaded (none when plugins were left out)."""


def _origin(entry: Any) -> tuple[str, str]:
    dist = getattr(entry, "dist", None)
    if dist is None:
        return "an unknown distribution", "?"
    return str(dist.metadata["Name"] or "?"), str(dist.version or "?")


def _plugin_rules(
    taken: set[str], untrusted: Sequence[str | os.PathLike[str]] = ()
) -> tuple[list[Rule], list[str], list[Plugin]]:
    """Rules from every ``threatforge.rules`` entry point, in entry point name order.

    An entry point names a :class:`Rule`, a sequence of rules, or a callable returning either.
    A plugin that fails to load, provides something else, or reuses an id in ``taken`` is
    reported as a problem and left out; the other plugins still load.
    """
    rules: list[Rule] = []
    problems: list[str] = []
    plugins: list[Plugin] = []
    found = entry_points(group=ENTRY_POINT_GROUP, untrusted=untrusted)
    for entry in sorted(found, key=lambda e: e.name):
        try:
            with _importing_from(trusted_paths(untrusted)):
                loaded = entry.load()
                provided = loaded() if callable(loaded) and not isinstance(loaded, Rule) else loaded
                items = [provided] if isinstance(provided, Rule) else list(provided)
        except Exception as exc:  # a broken plugin is reported, not fatal
            problems.append(
                f"plugin '{entry.name}' ({entry.value}) failed to load: {type(exc).__name__}: {exc}"
            )
            continue
        given: list[str] = []
        for item in items:
            if not isinstance(item, Rule):
                problems.append(f"plugin '{entry.name}' provided {type(item).__name__}, not a Rule")
            elif item.id in taken:
                problems.append(
                    f"plugin '{entry.name}' provides rule '{item.id}', whose id is already "
                    "taken; the plugin's rule was left out"
                )
            else:
                taken.add(item.id)
                if item.meta.source == "builtin":  # the default: say where it came from
                    item = replace(item, meta=replace(item.meta, source=f"plugin {entry.name}"))
                rules.append(item)
                given.append(item.id)
        distribution, version = _origin(entry)
        plugins.append(Plugin(entry.name, entry.value, distribution, version, tuple(given)))
    return rules, problems, plugins


def load_rule_set(
    packs: Sequence[Path] = (),
    *,
    include_builtin: bool = True,
    include_plugins: bool = True,
    extra: Iterable[Rule] = (),
    untrusted: Sequence[str | os.PathLike[str]] = (),
) -> RuleSet:
    """Built-in rules, then plugins, then YAML packs.

    Plugins come from the installed environment only (see :func:`trusted_paths`); folders in
    ``untrusted`` (the models' folders) are left out as the current directory is.

    A pack rule whose id is already taken is a :class:`RuleError` (the user named the pack, so
    the run stops); a plugin problem is reported in :attr:`RuleSet.problems` and the run goes on.
    """
    from threatforge.rules.declarative import load_pack

    rules: list[Rule] = list(builtin_rules()) if include_builtin else []
    problems: list[str] = []
    plugins: list[Plugin] = []
    if include_plugins:
        plugin_rules, plugin_problems, plugins = _plugin_rules({r.id for r in rules}, untrusted)
        rules.extend(plugin_rules)
        problems.extend(plugin_problems)
    rules.extend(extra)
    for pack in packs:
        rules.extend(load_pack(pack))
    seen: dict[str, str] = {}
    for item in rules:
        if item.id in seen:
            raise RuleError(
                f"two rules have the id '{item.id}' ({seen[item.id]} and {item.meta.source}); "
                "rule ids must be unique — rename the one in your pack"
            )
        seen[item.id] = item.meta.source
    return RuleSet(tuple(rules), tuple(problems), tuple(plugins))
