"""Reading an experiment: the file (or mapping, or spec object) and the base scenario it names.

Relative paths (of the base scenario) are read from the experiment file's folder; a mapping or a
spec object given in Python reads them from the working directory. Errors are one line naming
the experiment file: ``scenarios/experiments/x.toml: scenario = "nope" (...)``; errors inside the
base scenario's own file name that file.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ...i18n import _
from ...scenario import (
    ScenarioError,
    format_path,
    is_readable_file,
    load_scenario,
    read_toml,
    resolve_scenario_path,
)
from ...schema import format_value, to_mapping
from .study import StudySpec


def read_spec_file(source: str | os.PathLike | Mapping[str, Any] | StudySpec,
                   ) -> tuple[dict[str, Any], str, Path]:
    """The raw mapping of an experiment, where it came from, and the folder paths are read from."""
    if isinstance(source, StudySpec):
        data = to_mapping(source)
        data.pop("overrides", None)
        if source.overrides:
            data["overrides"] = dict(source.overrides)
        data.pop("variants", None)
        if source.variants:
            data["variants"] = {k: dict(v) for k, v in source.variants.items()}
        return data, "experiment", Path.cwd()
    if isinstance(source, Mapping):
        return dict(source), "experiment", Path.cwd()
    path = Path(source)
    if not is_readable_file(path):
        raise ScenarioError(_("{path}: no such experiment file").format(
                              path=format_path(path)))
    return read_toml(path), format_path(path), path.resolve().parent


def base_scenario(spec: StudySpec, source: str, folder: Path
                  ) -> tuple[dict[str, Any], str]:
    """The base scenario's raw mapping and a readable name of where it came from."""
    text = spec.scenario
    looks_like_path = text.endswith(".toml") or "/" in text or os.sep in text
    if looks_like_path:
        path = Path(text)
        if not path.is_absolute():
            path = folder / path
        if not is_readable_file(path):
            raise ScenarioError(_("{source}: scenario = {text} (no such file: {path})").format(
                                  source=source, text=format_value(text),
                                  path=format_path(path)))
    else:
        try:
            path = resolve_scenario_path(text)
        except ScenarioError as error:
            raise ScenarioError(f"{source}: scenario = {format_value(text)} ({error})") from None
    config = load_scenario(path)  # errors inside the scenario file name that file
    return config.to_dict(), str(path)
