"""Which rules exist: the built-in list, plugins (entry points) and YAML packs."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from importlib.metadata import entry_points
from pathlib import Path

from threatforge.errors import RuleError
from threatforge.rules.interface import Rule

__all__ = ["ENTRY_POINT_GROUP", "RuleSet", "builtin_rules", "load_rule_set"]

ENTRY_POINT_GROUP = "threatforge.rules"


def builtin_rules() -> tuple[Rule, ...]:
    """Every built-in rule, in a stable order."""
    from threatforge.rules.builtin import BUILTIN_RULES

    return BUILTIN_RULES


@dataclass(frozen=True)
class RuleSet:
    """The rules for a run, and the plugins or packs that could not be loaded."""

    rules: tuple[Rule, ...]
    problems: tuple[str, ...]


def _plugin_rules(taken: set[str]) -> tuple[list[Rule], list[str]]:
    """Rules from every ``threatforge.rules`` entry point, in entry point name order.

    An entry point names a :class:`Rule`, a sequence of rules, or a callable returning either.
    A plugin that fails to load, provides something else, or reuses an id in ``taken`` is
    reported as a problem and left out; the other plugins still load.
    """
    rules: list[Rule] = []
    problems: list[str] = []
    for entry in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
        try:
            loaded = entry.load()
            provided = loaded() if callable(loaded) and not isinstance(loaded, Rule) else loaded
            items = [provided] if isinstance(provided, Rule) else list(provided)
        except Exception as exc:  # a broken plugin is reported, not fatal
            problems.append(
                f"plugin '{entry.name}' ({entry.value}) failed to load: "
                f"{type(exc).__name__}: {exc}"
            )
            continue
        for item in items:
            if not isinstance(item, Rule):
                problems.append(
                    f"plugin '{entry.name}' provided {type(item).__name__}, not a Rule"
                )
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
    return rules, problems


def load_rule_set(
    packs: Sequence[Path] = (),
    *,
    include_builtin: bool = True,
    include_plugins: bool = True,
    extra: Iterable[Rule] = (),
) -> RuleSet:
    """Built-in rules, then plugins, then YAML packs.

    A pack rule whose id is already taken is a :class:`RuleError` (the user named the pack, so
    the run stops); a plugin problem is reported in :attr:`RuleSet.problems` and the run goes on.
    """
    from threatforge.rules.declarative import load_pack

    rules: list[Rule] = list(builtin_rules()) if include_builtin else []
    problems: list[str] = []
    if include_plugins:
        plugin_rules, plugin_problems = _plugin_rules({r.id for r in rules})
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
    return RuleSet(tuple(rules), tuple(problems))
