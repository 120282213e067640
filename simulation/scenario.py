"""Scenario files: find them, read them, apply overrides, validate, write them back.

A scenario is a TOML file in ``scenarios/``; its file name is its name. Loading reads the file
with the standard TOML parser (values only: nothing in a file is ever executed), applies the
overrides (``--set brands.acme.training_budget=200000`` on the command line, or
``overrides={...}`` in Python) to the raw tables, then validates everything at once through the
config dataclasses. Any problem raises :class:`ScenarioError` whose message is one line: the
file, the key path, the bad value and what is allowed.

Files are read as UTF-8 (a UTF-8 byte-order mark is accepted), at most ``MAX_FILE_BYTES``
long and nested at most ``MAX_NESTING_DEPTH`` levels deep; anything else (UTF-16, Latin-1,
binary data, arrays thousands deep) is refused with one line saying what the file is and what
would be right, before the TOML parser is asked to recurse into it.
"""

from __future__ import annotations

import importlib.resources
import os
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .config import ScenarioConfig
from .i18n import _, format_number
from .schema import (
    MAX_FILE_BYTES,
    MAX_KEY_LENGTH,
    MAX_NESTING_DEPTH,
    ConfigError,
    build,
    check_depth,
    format_value,
)

DEFAULT_SCENARIO = "baseline"
PACKAGE_ROOT = Path(__file__).resolve().parent


class ScenarioError(ValueError):
    """A scenario (or override, or experiment file) that cannot be used; one-line message."""


def presets_dir() -> Path:
    """The shipped presets (the ``simulation.presets`` package: scenarios/ of the repository,
    or its copy inside an installed wheel); experiment examples are in its ``experiments``."""
    try:
        return Path(str(importlib.resources.files("simulation.presets")))
    except ModuleNotFoundError:  # an editable install made before the presets were a package
        return PACKAGE_ROOT.parent / "scenarios"


def scenario_dirs() -> list[Path]:
    """Where scenario names are looked up, in order."""
    dirs = []
    if os.environ.get("SOCBIZ_SCENARIOS"):
        dirs.append(Path(os.environ["SOCBIZ_SCENARIOS"]))
    dirs.append(presets_dir())
    dirs.append(Path.cwd() / "scenarios")
    unique = []
    for d in dirs:
        if d.is_dir() and d.resolve() not in [u.resolve() for u in unique]:
            unique.append(d)
    return unique


def list_scenarios() -> dict[str, Path]:
    """Preset names and their files (first directory wins)."""
    found: dict[str, Path] = {}
    for directory in scenario_dirs():
        for path in sorted(directory.glob("*.toml")):
            found.setdefault(path.stem, path)
    return dict(sorted(found.items()))


def resolve_scenario_path(name_or_path: str | os.PathLike | None) -> Path:
    """A preset name or a file path, as a path to an existing file."""
    if name_or_path is None:
        name_or_path = DEFAULT_SCENARIO
    text = str(name_or_path)
    path = Path(text)
    if path.suffix == ".toml" or os.sep in text or "/" in text:
        if not is_readable_file(path):
            raise ScenarioError(_("{file}: no such scenario file").format(file=format_path(text)))
        return path
    if "\0" in text or len(text) > 255:
        raise ScenarioError(_("scenario {name} not found (not a preset name)").format(
            name=format_value(text)))
    presets = list_scenarios()
    if text in presets:
        return presets[text]
    import difflib

    close = difflib.get_close_matches(text, list(presets), n=1)
    hint = _("; did you mean '{name}'?").format(name=close[0]) if close else ""
    raise ScenarioError(_("scenario '{name}' not found (known: {known}){hint}").format(
        name=text, known=", ".join(presets) or _("none"), hint=hint))


def is_readable_file(path: Path) -> bool:
    """Whether ``path`` is a regular file (False for odd paths: too long, NUL inside...)."""
    try:
        return path.is_file()
    except (OSError, ValueError):
        return False


def format_path(text: Any) -> str:
    """A path for a one-line message: shortened, control characters escaped."""
    text = str(text)
    if not text.isprintable() or len(text) > 200:
        return format_value(text)
    return text


# Byte-order marks of encodings that are not UTF-8 (longest first: UTF-32 LE starts like 16 LE).
_BOMS = ((b"\xff\xfe\x00\x00", "UTF-32"), (b"\x00\x00\xfe\xff", "UTF-32"),
         (b"\xff\xfe", "UTF-16"), (b"\xfe\xff", "UTF-16"))


def read_toml(path: Path) -> dict[str, Any]:
    """A TOML file as a mapping; one-line :class:`ScenarioError` for anything else."""
    name = format_path(path)
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        raise ScenarioError(_("{file}: cannot read: {error}").format(
            file=name, error=error.strerror or error)) from None
    if len(data) > MAX_FILE_BYTES:
        raise ScenarioError(_("{file}: file too large (more than {cap} bytes; scenario and "
                              "experiment files are small text files)").format(
            file=name, cap=format_number(MAX_FILE_BYTES)))
    return parse_toml(data, name)


def parse_toml(data: bytes, name: str) -> dict[str, Any]:
    """Decode (UTF-8), check the nesting depth, parse; one line naming ``name`` if it fails."""
    text = decode_utf8(data, name)
    try:
        table = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ScenarioError(_("{file}: not valid TOML: {error}").format(file=name, error=error)
                            ) from None
    except RecursionError:  # tomllib recurses per level: hundreds deep exhaust the stack
        raise ScenarioError(_("{file}: arrays or tables nested hundreds of levels deep (at "
                              "most {cap})").format(file=name, cap=MAX_NESTING_DEPTH)) from None
    try:
        check_depth(table)
    except ConfigError as error:
        raise ScenarioError(error.with_source(name).message()) from None
    return table


def decode_utf8(data: bytes, name: str) -> str:
    """``data`` as text; a file in another encoding or a binary file is refused in one line."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            raise ScenarioError(_("{file}: the file is {encoding} text; save it as UTF-8").format(
                file=name, encoding=encoding))
    data = data.removeprefix(b"\xef\xbb\xbf")  # a UTF-8 byte-order mark (Windows editors)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        head = data[: error.start]
        line = head.count(b"\n") + 1
        column = error.start - (head.rfind(b"\n") + 1) + 1
        binary = b"\0" in data[:4096] or sum(b < 9 for b in data[:4096]) > 8
        text = (_("{file}: is not a text file (binary data): byte {byte} at line {line}, "
                  "column {column}; save the file as UTF-8") if binary else
                _("{file}: is not UTF-8 text (Latin-1 or Windows-1252?): byte {byte} at line "
                  "{line}, column {column}; save the file as UTF-8"))
        raise ScenarioError(text.format(file=name, byte=f"0x{data[error.start]:02x}", line=line,
                                        column=column)) from None


def load_scenario(
    scenario: str | os.PathLike | Mapping[str, Any] | ScenarioConfig | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> ScenarioConfig:
    """Load and validate a scenario: a preset name, a TOML path, a mapping or a config.

    ``overrides`` maps dotted key paths to values, e.g.
    ``{"brands.acme.training_budget": 200000, "market.n_customers": 5000}``.
    """
    if isinstance(scenario, ScenarioConfig):
        if not overrides:
            return scenario
        data, source, name = scenario.to_dict(), f"scenario {scenario.name!r}", scenario.name
    elif isinstance(scenario, Mapping):
        data, source = dict(scenario), "scenario"
        name = str(data.get("name", "custom"))
    else:
        path = resolve_scenario_path(scenario)
        data, source, name = read_toml(path), str(path), path.stem
        if "name" in data and data["name"] != name:
            raise ScenarioError(_("{file}: name = {value} (must match the file name '{name}', "
                                  "or be left out)").format(
                file=path, value=format_value(data["name"]), name=name))
    data = dict(data)
    data["name"] = name
    for key, value in (overrides or {}).items():
        try:
            set_path(data, key, value)
        except ConfigError as error:
            raise ScenarioError(
                f"{source}: override {key}={format_value(value)}: {error}") from None
    try:
        return build(ScenarioConfig, data)
    except ConfigError as error:
        raise ScenarioError(error.with_source(source).message()) from None


def set_path(data: dict[str, Any], dotted: str, value: Any) -> None:
    """Set ``a.b.c = value`` inside nested tables, refusing to invent brands or agencies."""
    keys = dotted.split(".")
    if not all(keys):
        raise ConfigError(dotted, value, _("key paths look like market.n_customers"))
    node = data
    for depth, key in enumerate(keys[:-1]):
        if key not in node:
            if depth == 1 and keys[0] in ("brands", "agencies"):
                known = ", ".join(node) or _("none")
                allowed = (_("no such brand in the scenario; known: {known}") if keys[0] ==
                           "brands" else _("no such agency in the scenario; known: {known}"))
                raise ConfigError(".".join(keys[: depth + 1]), value,
                                  allowed.format(known=known))
            node[key] = {}
        elif not isinstance(node[key], dict):
            raise ConfigError(".".join(keys[: depth + 1]), node[key], _("is not a table"))
        node[key] = dict(node[key])
        node = node[key]
    node[keys[-1]] = value


def _typed_number(raw: str) -> Any:
    """A number typed the French or the English way (``20 000``, ``1,5``, ``1 234,5``) as an
    int or a float; any other text stays the string it is (a name, a mix, a path)."""
    from .i18n import parse_number

    if not re.fullmatch(r"[+\-−]?[\d\s\u00a0\u202f.,']+", raw) or not re.search(r"\d", raw):
        return raw
    try:
        number = parse_number(raw)
    except ValueError:
        return raw
    return int(number) if number.is_integer() and abs(number) < 2**63 else number


def parse_override(text: str) -> tuple[str, Any]:
    """``key=value`` from the command line; the value is read as a TOML value, else a string."""
    if "=" not in text:
        raise ScenarioError(_("--set {text}: expected KEY=VALUE, e.g. "
                              "market.n_customers=5000").format(text=text))
    key, raw = text.split("=", 1)
    key, raw = key.strip(), raw.strip()
    if len(key) > MAX_KEY_LENGTH:
        raise ScenarioError(_("--set {key}: key paths have at most {cap} characters").format(
            key=format_value(key), cap=MAX_KEY_LENGTH))
    deep = _("--set {key}: the value nests arrays or tables more than {cap} levels deep").format(
        key=key, cap=MAX_NESTING_DEPTH)
    try:
        value = tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        value = _typed_number(raw)
    except RecursionError:  # hundreds of levels: tomllib recurses per level
        raise ScenarioError(deep) from None
    try:
        check_depth(value)
    except ConfigError:
        raise ScenarioError(deep) from None
    return key, value


def scenario_to_toml(scenario: ScenarioConfig) -> str:
    """The scenario as TOML text that :func:`load_scenario` reads back into an equal config."""
    import tomli_w

    data = scenario.to_dict()
    data.pop("name", None)
    return tomli_w.dumps(data, multiline_strings=True)


def save_scenario(scenario: ScenarioConfig, path: str | os.PathLike) -> Path:
    path = Path(path)
    path.write_text(scenario_to_toml(scenario), encoding="utf-8")
    return path
