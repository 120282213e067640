"""Overrides: dotted key paths applied to a scenario's raw mapping.

``[overrides]`` is a table of scenario keys (nested TOML tables and quoted dotted keys both
work), flattened to dotted keys; ``timeline[0].day`` reaches into lists of tables. A parameter
with ``key = "variant"`` picks one of the ``[variants.NAME]`` bundles: the bundle is applied
first, so that the other parameters of the same point win. The result is always built and
validated as a whole scenario (``apply_overrides``), never patched after validation.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ...config import ScenarioConfig
from ...i18n import _, ngettext
from ...scenario import ScenarioError, set_path
from ...schema import _NO_VALUE, ConfigError, build, format_value
from .parameters import FORBIDDEN_KEYS

#: The parameter key that picks a named variant of the scenario (``[variants.NAME]``).
VARIANT_KEY = "variant"


def flatten_overrides(table: Any, source: str, prefix: str = "overrides") -> dict[str, Any]:
    """``[overrides]`` as dotted keys: nested TOML tables and quoted dotted keys both work."""
    if not isinstance(table, Mapping):
        raise ScenarioError(_("{source}: {prefix} = {table} (must be a table of scenario keys, "
                              "e.g. market.n_customers = 5000)").format(
                              source=source, prefix=prefix, table=format_value(table)))
    flat: dict[str, Any] = {}

    def walk(node: Mapping[str, Any], path: str) -> None:
        for key, value in node.items():
            here = f"{path}.{key}" if path else str(key)
            if isinstance(value, Mapping) and value:
                walk(value, here)
            elif here in flat:
                raise ScenarioError(_("{source}: {prefix}.{here} is given twice").format(
                                      source=source, prefix=prefix, here=here))
            else:
                flat[here] = value

    walk(table, "")
    for key in flat:
        if key in FORBIDDEN_KEYS:
            raise ScenarioError(_("{source}: {prefix}.{key} (cannot be set here: "
                                  "{forbidden})").format(
                                  source=source, prefix=prefix, key=key,
                                  forbidden=FORBIDDEN_KEYS[key]))
    return flat


_INDEXED = re.compile(r"^([^\[\]]+)((?:\[\d+\])+)$")


def key_segments(dotted: str) -> list[str | int]:
    """``timeline[1].day`` (or ``timeline.1.day``) as ``["timeline", 1, "day"]``."""
    out: list[str | int] = []
    for part in dotted.split("."):
        match = _INDEXED.match(part)
        if match:
            out.append(match.group(1))
            out += [int(i) for i in re.findall(r"\d+", match.group(2))]
        elif part.isdigit():
            out.append(int(part))
        else:
            out.append(part)
    return out


def set_key(data: dict[str, Any], dotted: str, value: Any) -> None:
    """``set_path`` that also reaches into lists of tables: ``timeline[0].day = 30``."""
    segments = key_segments(dotted)
    if not any(isinstance(s, int) for s in segments) and not isinstance(
            data.get(segments[0]), list | tuple):
        set_path(data, dotted, value)
        return
    node: Any = data
    for depth, seg in enumerate(segments[:-1]):
        here = _path_text(segments[: depth + 1])
        if isinstance(seg, int):
            if not isinstance(node, list):
                raise ConfigError(here, _NO_VALUE, _("is not a list: indexes like [0] are for "
                                                     "lists of tables such as timeline"))
            if seg >= len(node):
                raise ConfigError(here, _NO_VALUE, ngettext(
                    "no such entry (the list has {n} entry, from [0])",
                    "no such entry (the list has {n} entries, from [0])", len(node)).format(
                    n=len(node)))
            node[seg] = dict(node[seg])
            node = node[seg]
        else:
            if isinstance(node, list):
                parent = _path_text(segments[:depth])
                raise ConfigError(parent, _NO_VALUE, _("is a list: write {parent}[0].{seg}").format(
                                                       parent=parent, seg=seg))
            if seg not in node:
                raise ConfigError(here, _NO_VALUE, _("no such key in the scenario"))
            child = node[seg]
            node[seg] = list(child) if isinstance(child, list | tuple) else (
                dict(child) if isinstance(child, Mapping) else child)
            node = node[seg]
            if not isinstance(node, list | dict):
                raise ConfigError(here, node, _("is not a table"))
    last = segments[-1]
    if isinstance(node, list) and not isinstance(last, int):
        parent = _path_text(segments[:-1])
        raise ConfigError(parent, _NO_VALUE, _("is a list: write {parent}[0].{last}").format(
                                               parent=parent, last=last))
    if isinstance(last, int) or isinstance(node, list):
        raise ConfigError(_path_text(segments), _NO_VALUE, _("set a field of an entry, e.g. "
                                                             "timeline[0].day"))
    node[last] = value


def _path_text(segments: list[str | int]) -> str:
    text = ""
    for seg in segments:
        text += f"[{seg}]" if isinstance(seg, int) else (f".{seg}" if text else seg)
    return text


def expand_variants(overrides: Mapping[str, Any], variants: Mapping[str, Mapping[str, Any]]
                    ) -> dict[str, Any]:
    """Overrides with ``variant = NAME`` replaced by that variant's bundle of overrides (the
    bundle first, so that other parameters of the same point win)."""
    if VARIANT_KEY not in overrides:
        return dict(overrides)
    rest = {k: v for k, v in overrides.items() if k != VARIANT_KEY}
    return {**variants[overrides[VARIANT_KEY]], **rest}


def apply_overrides(data: dict[str, Any], overrides: Mapping[str, Any],
                    variants: Mapping[str, Mapping[str, Any]] | None = None) -> ScenarioConfig:
    """The scenario with ``overrides`` applied; raises ConfigError (path, value, allowed)."""
    data = dict(data)
    if variants:
        overrides = expand_variants(overrides, variants)
    for key, value in overrides.items():
        set_key(data, key, value)
    return build(ScenarioConfig, data)
