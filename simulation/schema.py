"""Typed, validated configuration: the machinery behind every scenario and experiment file.

Rules:
- Every configurable value is a field of a frozen dataclass, declared with :func:`param`, which
  records its default, a one-line help text, its unit, the allowed range or choices and the
  source of the default (a published figure or "assumed"). The ODD parameter table, the
  dashboard's help texts and the error messages are all generated from these declarations, so
  they cannot drift from the code.
- A plain mapping (parsed TOML, CLI overrides, Python dicts) becomes a dataclass through
  :func:`build`, which checks, before anything runs: unknown keys (with a did-you-mean), wrong
  types, out-of-range values and empty names. Every problem is a :class:`ConfigError` carrying the
  key path, the bad value and what is allowed; the loader adds the file name to make the one-line
  message users see.
- Nothing in a configuration is ever executed: values are data (numbers, strings, booleans,
  lists and tables), converted by type, never evaluated.
- Everything whose size a user controls has a cap, declared once as a :func:`limit` (listed in
  the ODD's parameter table): a file's size and nesting depth, names (printable, at most
  ``MAX_NAME_LENGTH`` characters, unique regardless of case in a table of named entries), texts
  and lists (``max_length`` / ``max_items`` on a field, else the defaults below). A value above
  a cap is refused like any other bad value, before anything runs.
- Every one-line message of a user mistake is built by :func:`error_line` (so the wording can
  be translated in one place).
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import itertools
import math
import types
import typing
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import MISSING, dataclass, field, fields, is_dataclass
from typing import Any

from .i18n import (
    LANGUAGES,
    LazyString,
    Localized,
    _,
    _l,
    format_number,
    lazy_gettext,
    unit_label,
)

# --------------------------------------------------------------------------------------------
# Limits: caps on every size a user controls (documented in the ODD's parameter table)


@dataclass(frozen=True)
class Limit:
    """A documented cap: its name (the constant), value, unit and what it bounds."""

    name: str
    value: int
    unit: str
    help: str


LIMITS: dict[str, Limit] = {}


def limit(name: str, value: int, help: str, unit: str = "") -> int:
    """Declare a cap (registered for the documentation) and return its value."""
    LIMITS[name] = Limit(name, value, unit, help)
    return value


MAX_FILE_BYTES = limit("MAX_FILE_BYTES", 4_000_000, _l("Largest scenario or experiment file "
                       "read."), "bytes")
MAX_NESTING_DEPTH = limit("MAX_NESTING_DEPTH", 32, _l("Deepest nesting of tables and arrays in "
                          "a file or a --set value."), "levels")
MAX_NAME_LENGTH = limit("MAX_NAME_LENGTH", 64, _l("Longest name of a brand, an agency or a "
                        "results column (printable characters only)."), "characters")
MAX_TEXT_LENGTH = limit("MAX_TEXT_LENGTH", 10_000, _l("Longest text value unless a field says "
                        "otherwise (titles: 200, descriptions: 100,000)."), "characters")
MAX_LIST_ITEMS = limit("MAX_LIST_ITEMS", 10_000, _l("Longest list unless a field says "
                       "otherwise."), "items")
MAX_KEY_LENGTH = limit("MAX_KEY_LENGTH", 200, _l("Longest dotted key path (--set, overrides, "
                       "parameters)."), "characters")
MAX_SEED = limit("MAX_SEED", 2**63 - 1, _l("Largest seed (a signed 64-bit integer), in files "
                 "and on the command line."))


def error_line(source: str | None, path: str | None, value: Any, allowed: str) -> str:
    """The one-line form of a user mistake: ``FILE: KEY = VALUE (WHAT IS ALLOWED)``.

    ``value`` is left out when it is ``_NO_VALUE`` (a missing or unknown key); ``path`` when
    empty (a problem with the whole file). Control characters never reach the terminal: values
    are shown as TOML-like literals, shortened, and the rest is flattened to one line.
    """
    where = f"{source}: " if source else ""
    path = _short_path(path) if path else path
    if not path:
        text = f"{where}{allowed}"
    elif value is _NO_VALUE:
        text = f"{where}{path}: {allowed}"
    else:
        text = f"{where}{path} = {format_value(value)} ({allowed})"
    return one_line(text)


def _short_path(path: str) -> str:
    """A key path with its overlong parts cut (a 10,000-character brand name...)."""
    if len(path) <= 120:
        return path
    return ".".join(p if len(p) <= 40 else f"{p[:24]}...{p[-8:]}" for p in path.split("."))


def one_line(text: str, limit_chars: int = 2000) -> str:
    """``text`` on one line (newlines and other control characters shown escaped), shortened.
    Spaces stay as they are, the no-break ones too: French numbers are grouped with a narrow
    no-break space ("10 000 000"), which ``str.isprintable`` calls unprintable."""
    text = "".join(c if c.isprintable() or unicodedata.category(c) == "Zs"
                   else repr(c)[1:-1] for c in str(text))
    return text if len(text) <= limit_chars else text[: limit_chars - 3] + "..."


class ConfigError(ValueError):
    """A configuration value that is not allowed.

    ``path`` is the dotted key path (``brands.acme.departments.marketing.adoption``), ``value`` the
    offending value and ``allowed`` what would be right. ``str(error)`` is the one-line message.
    """

    def __init__(self, path: str, value: Any, allowed: str, source: str | None = None):
        self.path = path
        self.value = value
        self.allowed = allowed
        self.source = source
        super().__init__(self.message())

    def message(self) -> str:
        return error_line(self.source, self.path, self.value, self.allowed)

    def with_source(self, source: str) -> ConfigError:
        return ConfigError(self.path, self.value, self.allowed, source)


_NO_VALUE = object()


def format_value(value: Any, _depth: int = 0) -> str:
    """Render a value the way it would be written in TOML, short enough for one line (long
    strings, lists, tables and deep nesting are cut with '...')."""
    if _depth > 3:
        return "..."
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return repr(value) if len(value) <= 60 else repr(value[:57] + "...")
    if isinstance(value, Mapping):
        items = list(itertools.islice(value.items(), 4))
        return "{" + ", ".join(f"{_key_text(k)} = {format_value(v, _depth + 1)}"
                               for k, v in items) + (", ...}" if len(value) > 4 else "}")
    if isinstance(value, list | tuple):
        items = ", ".join(format_value(v, _depth + 1) for v in list(value[:6]))
        return "[" + items + (", ...]" if len(value) > 6 else "]")
    if isinstance(value, int) and abs(value) > 10**30:
        return f"{float(value):.3g}"
    return str(value)


def _key_text(key: Any) -> str:
    text = str(key)
    simple = text and len(text) <= 40 and all(c.isalnum() or c in "_-" for c in text)
    return text if simple else format_value(text)


def param(
    default: Any = MISSING,
    help: str = "",
    *,
    unit: str = "",
    lo: float | None = None,
    hi: float | None = None,
    lo_open: bool = False,
    choices: tuple[str, ...] | None = None,
    source: str = "assumed",
    default_factory: Any = MISSING,
    max_length: int | None = None,
    max_items: int | None = None,
    single_line: bool = False,
) -> Any:
    """Declare a configuration field with its documentation and its allowed values.

    ``max_length`` caps a text's characters (default ``MAX_TEXT_LENGTH``), ``max_items`` a
    list's items or a table's entries (default ``MAX_LIST_ITEMS``); ``single_line`` refuses line
    breaks in a text.
    """
    metadata = {
        # Looked up in the catalogue when shown, so one declaration serves both languages.
        "help": lazy_gettext(help) if help and not isinstance(help, LazyString) else help,
        "unit": unit_label(unit),
        "lo": lo,
        "hi": hi,
        "lo_open": lo_open,
        "choices": choices,
        "source": source,
        "max_length": max_length,
        "max_items": max_items,
        "single_line": single_line,
    }
    if default_factory is not MISSING:
        return field(default_factory=default_factory, metadata=metadata)
    if isinstance(default, dict | list):
        frozen = default
        return field(default_factory=lambda: _copy(frozen), metadata=metadata)
    return field(default=default, metadata=metadata)


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


def allowed_text(meta: Mapping[str, Any], kind: type | None = None) -> str:
    """What a field accepts, in words: 'must be between 0 and 1', 'one of ...'."""
    if meta.get("choices"):
        return _("must be one of {choices}").format(
            choices=", ".join(repr(c) for c in meta["choices"]))
    lo, hi = meta.get("lo"), meta.get("hi")
    noun = _("an integer") if kind is int else _("a number")
    if lo is not None and hi is not None:
        return _("must be {noun} between {lo} and {hi}").format(noun=noun, lo=_num(lo),
                                                                hi=_num(hi))
    if lo is not None:
        return _("must be {noun} {sign} {lo}").format(
            noun=noun, sign=">" if meta.get("lo_open") else "≥", lo=_num(lo))
    if hi is not None:
        return _("must be {noun} ≤ {hi}").format(noun=noun, hi=_num(hi))
    return _("must be {noun}").format(noun=noun)


def _num(x: float) -> str:
    """A bound as the reader's language writes it (10 000 000 and 0,5 in French), exactly."""
    if float(x).is_integer() and abs(x) < 1e19:
        return format_number(int(x))
    text = f"{x:g}"
    if "e" in text:  # 1e-09: scientific notation reads the same in both languages
        return text
    return format_number(float(x), len(text.partition(".")[2]))


def did_you_mean(key: str, known: list[str], what: str = "key") -> str:
    """'unknown key; did you mean ...?' (``what="department"``: 'unknown department; ...')."""
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    if what == "department":  # one sentence per noun, so that translators can make it agree
        if close:
            return _("unknown department; did you mean '{key}'?").format(key=close[0])
        return _("unknown department; allowed keys: {keys}").format(keys=", ".join(known))
    if close:
        return _("unknown key; did you mean '{key}'?").format(key=close[0])
    return _("unknown key; allowed keys: {keys}").format(keys=", ".join(known))


# --------------------------------------------------------------------------------------------
# Mapping -> dataclass


@functools.cache
def _fields_of(cls: type) -> tuple[dict[str, Any], dict[str, Any]]:
    """Type hints and init fields of a config class, computed once: ``get_type_hints``
    evaluates every annotation string each call, and was 60% of the time of checking a large
    sweep design point by point."""
    hints = typing.get_type_hints(cls)
    return hints, {f.name: f for f in fields(cls) if f.init and not f.name.startswith("_")}


def build(cls: type, data: Any, path: str = "", base: Any = None) -> Any:
    """Build dataclass ``cls`` from a mapping, validating every key and value.

    ``base``, when given, is an instance of ``cls`` whose values serve as defaults (so a partial
    table in a scenario file only changes the keys it names).
    """
    if not isinstance(data, Mapping):
        raise ConfigError(path or _("(top level)"), data, _("must be a table"))
    hints, specs = _fields_of(cls)
    kwargs: dict[str, Any] = {}
    for key in data:
        if key not in specs:
            raise ConfigError(_join(path, key), _NO_VALUE, did_you_mean(str(key), list(specs)))
    for name, spec in specs.items():
        here = _join(path, name)
        default = getattr(base, name) if base is not None else _default_of(spec)
        if name in data:
            kwargs[name] = convert(hints[name], data[name], here, spec.metadata, default)
        elif default is MISSING:
            raise ConfigError(here, _NO_VALUE, _("missing required key"))
        else:
            kwargs[name] = default
    try:
        return cls(**kwargs)
    except ConfigError as error:
        if path and not error.path.startswith(path):
            raise ConfigError(_join(path, error.path), error.value, error.allowed) from None
        raise


def _default_of(spec: dataclasses.Field) -> Any:
    if spec.default is not MISSING:
        return spec.default
    if spec.default_factory is not MISSING:
        return spec.default_factory()
    return MISSING


def _join(path: str, key: Any) -> str:
    return f"{path}.{key}" if path else str(key)


def convert(kind: Any, value: Any, path: str, meta: Mapping[str, Any], default: Any = None) -> Any:
    """Convert and check one value against its declared type and metadata."""
    origin = typing.get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(kind) if a is not type(None)]
        if value is None and len(options) < len(typing.get_args(kind)):
            return None
        tagged = {getattr(o, "kind", None): o for o in options if is_dataclass(o)}
        if len(tagged) == len(options) and None not in tagged:
            # Members sharing a live registry (``tagged_union``: a callable returning {kind:
            # class}) are read from it now, so a kind registered after the union was written
            # (a new intervention kind declared in its own module) loads too.
            live = getattr(options[0], "tagged_union", None)
            return _convert_tagged(live() if callable(live) else tagged, value, path)
        # A union of a name and a table (e.g. a named content mix or explicit shares).
        errors = []
        for option in options:
            try:
                return convert(option, value, path, meta, default)
            except ConfigError as error:
                errors.append((option, error))
        # Report the error of the option the value looks like (a table for a table ...): a
        # whole number looks like an integer, any other number (nan, 1.5) like a float first.
        for strict in (True, False):
            for option, error in errors:
                if _shape_matches(option, value, strict):
                    raise error
        raise errors[-1][1]
    if is_dataclass(kind):
        base = default if isinstance(default, kind) else None
        return build(kind, value, path, base)
    if origin is dict:
        key_type, value_type = typing.get_args(kind)
        if not isinstance(value, Mapping):
            raise ConfigError(path, value, _("must be a table"))
        # Tables with a fixed set of keys (departments) start from their defaults; tables of
        # user-named entries (brands, agencies) hold exactly what the file says.
        fixed_keys = meta.get("choices") if is_dataclass(value_type) else None
        out = dict(default) if fixed_keys and isinstance(default, Mapping) else {}
        _check_items(value, path, meta, "entries")
        folded: dict[str, str] = {}
        for key, item in value.items():
            check_name(key, _join(path, key))
            if not fixed_keys:  # user-chosen names: unique regardless of case
                twin = folded.setdefault(key.casefold(), key)
                if twin != key:
                    raise ConfigError(_join(path, key), _NO_VALUE, _(
                        "name already used by '{twin}' (names must differ by more than "
                        "upper/lower case)").format(twin=twin))
            if fixed_keys and key not in fixed_keys:
                raise ConfigError(_join(path, key), _NO_VALUE, did_you_mean(key, list(fixed_keys)))
            base = out.get(key)
            out[key] = convert(value_type, item, _join(path, key), meta, base)
        return out
    if origin in (tuple, list):
        (item_type, *_rest) = typing.get_args(kind)
        if not isinstance(value, list | tuple):
            raise ConfigError(path, value, _("must be a list"))
        _check_items(value, path, meta, "items")
        return tuple(
            convert(item_type, item, f"{path}[{i}]", meta, None) for i, item in enumerate(value)
        )
    if kind is bool:
        if not isinstance(value, bool):
            raise ConfigError(path, value, _("must be true or false"))
        return value
    if kind is int:
        if isinstance(value, bool) or not (
            isinstance(value, int) or (isinstance(value, float) and value.is_integer())
        ):
            raise ConfigError(path, value, allowed_text(meta, int))
        value = int(value)
        _check_range(value, path, meta, int)
        return value
    if kind is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ConfigError(path, value, allowed_text(meta, float))
        value = float(value)
        if not math.isfinite(value):
            raise ConfigError(path, value, allowed_text(meta, float) + _(" (finite)"))
        _check_range(value, path, meta, float)
        return value
    if kind is Localized:
        return _convert_localized(value, path, meta)
    if kind is str:
        if not isinstance(value, str):
            raise ConfigError(path, value, _("must be a string"))
        check_text(value, path, meta)
        choices = meta.get("choices")
        if choices and value not in choices:
            close = difflib.get_close_matches(value, list(choices), n=1, cutoff=0.6)
            hint = _("; did you mean {choice}?").format(choice=repr(close[0])) if close else ""
            raise ConfigError(path, value, allowed_text(meta) + hint)
        return value
    raise TypeError(f"unsupported config type {kind!r} at {path}")


def _convert_localized(value: Any, path: str, meta: Mapping[str, Any] | None = None
                       ) -> Localized:
    """A text in one string, or in a table of languages (``{ en = "...", fr = "..." }``)."""
    if isinstance(value, str):
        check_text(value, path, meta or {})
        return Localized(value)
    if not isinstance(value, Mapping):
        raise ConfigError(path, value, _(
            'must be a string, or a table of languages (en = "...", fr = "...")'))
    for lang, text in value.items():
        if lang not in LANGUAGES:
            raise ConfigError(_join(path, lang), _NO_VALUE, _(
                "unknown language; allowed: {languages}").format(languages=", ".join(LANGUAGES)))
        if not isinstance(text, str):
            raise ConfigError(_join(path, lang), text, _("must be a string"))
        check_text(text, _join(path, lang), meta or {})
    if "en" not in value:
        raise ConfigError(_join(path, "en"), _NO_VALUE,
                          _("missing: the English text is the reference"))
    return Localized(dict(value))


def _shape_matches(kind: Any, value: Any, strict: bool = False) -> bool:
    """Whether ``value`` has the shape of ``kind``; ``strict``: an int only for whole
    numbers."""
    origin = typing.get_origin(kind)
    if strict and kind is int:
        return (isinstance(value, int) and not isinstance(value, bool)) or (
            isinstance(value, float) and value.is_integer())
    if origin is dict or is_dataclass(kind):
        return isinstance(value, Mapping)
    if origin in (tuple, list):
        return isinstance(value, list | tuple)
    if kind is str:
        return isinstance(value, str)
    if kind in (int, float):
        return isinstance(value, int | float) and not isinstance(value, bool)
    return kind is bool and isinstance(value, bool)


def _convert_tagged(options: Mapping[str, type], value: Any, path: str) -> Any:
    """A table whose ``kind`` key says which dataclass it is (timeline events)."""
    if not isinstance(value, Mapping):
        raise ConfigError(path, value, _("must be a table"))
    kind = value.get("kind")
    if kind not in options:
        close = difflib.get_close_matches(str(kind), list(options), n=1, cutoff=0.6)
        hint = _("; did you mean {choice}?").format(choice=repr(close[0])) if close else ""
        raise ConfigError(_join(path, "kind"), kind if kind is not None else _NO_VALUE,
                          _("must be one of {choices}").format(
                              choices=", ".join(map(repr, options))) + hint)
    return build(options[kind], {k: v for k, v in value.items() if k != "kind"}, path)


def _check_range(value: float, path: str, meta: Mapping[str, Any], kind: type) -> None:
    lo, hi = meta.get("lo"), meta.get("hi")
    too_low = lo is not None and (value <= lo if meta.get("lo_open") else value < lo)
    if too_low or (hi is not None and value > hi):
        raise ConfigError(path, value, allowed_text(meta, kind))


def check_name(name: Any, path: str) -> None:
    """Names of brands, agencies and departments: non-empty, printable (no line breaks, tabs,
    NUL or other control characters), at most MAX_NAME_LENGTH characters, no dots or spaces at
    the ends."""
    if not isinstance(name, str) or not name.strip():
        raise ConfigError(path, name, _("names must be non-empty strings"))
    if len(name) > MAX_NAME_LENGTH:
        raise ConfigError(path, name, _("names have at most {cap} characters, not {n}").format(
            cap=MAX_NAME_LENGTH, n=format_number(len(name))))
    if not name.isprintable():
        raise ConfigError(path, name, _("names must be printable characters (no line breaks, "
                                        "tabs or control characters)"))
    if "." in name or name != name.strip():
        raise ConfigError(path, name, _("names cannot contain '.' or start/end with spaces"))


# Line breaks and tabs are allowed in texts (descriptions are multi-line); no other control
# character (NUL, escape sequences that would rewrite a terminal, bidi overrides).
_TEXT_WHITESPACE = frozenset("\n\t\r")
# Spaces of typography, in single-line texts too: Python calls them not printable, but French
# puts a no-break space before ":" and a narrow one between thousands (20 000, as Babel writes).
_TYPOGRAPHIC_SPACES = frozenset("\u00a0\u202f\u2009")


def check_text(value: str, path: str, meta: Mapping[str, Any]) -> None:
    """A text value: length cap, printable characters, one line if the field says so."""
    cap = meta.get("max_length") or MAX_TEXT_LENGTH
    if len(value) > cap:
        raise ConfigError(path, value, _("at most {cap} characters, not {n}").format(
            cap=format_number(cap), n=format_number(len(value))))
    single = meta.get("single_line")
    if not value.isprintable():
        allowed_spaces = _TYPOGRAPHIC_SPACES | (set() if single else _TEXT_WHITESPACE)
        bad = next((c for c in value if not c.isprintable() and c not in allowed_spaces), None)
        if bad is not None:
            allowed = (_("must be one line of printable characters; found {char}") if single
                       else _("must be printable characters; found {char}"))
            raise ConfigError(path, value, allowed.format(char=repr(bad)))


def _check_items(value: Any, path: str, meta: Mapping[str, Any], noun: str) -> None:
    cap = meta.get("max_items") or MAX_LIST_ITEMS
    if len(value) > cap:
        allowed = (_("{n} entries (at most {cap})") if noun == "entries"
                   else _("{n} items (at most {cap})"))
        raise ConfigError(path, _NO_VALUE, allowed.format(n=format_number(len(value)),
                                                          cap=format_number(cap)))


def check_depth(data: Any, path: str = "", limit_levels: int = MAX_NESTING_DEPTH) -> None:
    """Refuse tables and arrays nested deeper than ``limit_levels`` (checked without recursion,
    so that a pathological file cannot exhaust the stack)."""
    stack = [(data, path, 0)]
    while stack:
        node, where, depth = stack.pop()
        if isinstance(node, Mapping):
            children = ((v, _join(where, _key_text(k))) for k, v in node.items())
        elif isinstance(node, list | tuple):
            children = ((v, f"{where}[{i}]") for i, v in enumerate(node))
        else:
            continue
        if depth >= limit_levels:
            raise ConfigError(where or _("(top level)"), _NO_VALUE, _(
                "tables and arrays nested more than {cap} levels deep").format(cap=limit_levels))
        stack.extend((v, w, depth + 1) for v, w in children)


# --------------------------------------------------------------------------------------------
# dataclass -> mapping, and introspection for documentation


def to_mapping(obj: Any) -> Any:
    """The TOML-ready mapping of a config object (round-trips through :func:`build`)."""
    if isinstance(obj, Localized):
        return obj.to_data()
    if is_dataclass(obj) and not isinstance(obj, type):
        out = {"kind": obj.kind} if isinstance(getattr(type(obj), "kind", None), str) else {}
        for f in fields(obj):
            value = getattr(obj, f.name)
            # TOML has no null: an unset optional value is simply left out.
            if f.init and not f.name.startswith("_") and value is not None:
                out[f.name] = to_mapping(value)
        return out
    if isinstance(obj, Mapping):
        return {str(k): to_mapping(v) for k, v in obj.items()}
    if isinstance(obj, tuple | list):
        return [to_mapping(v) for v in obj]
    return obj


@dataclass(frozen=True)
class ParameterDoc:
    path: str
    default: Any
    unit: str
    allowed: str
    help: str
    source: str


def parameter_docs(cls: type, prefix: str = "", example: Any = None) -> Iterator[ParameterDoc]:
    """Every leaf parameter of ``cls`` with its documentation, in declaration order.

    Tables keyed by user-chosen names (brands, agencies) appear as ``brands.<name>``.
    """
    hints = typing.get_type_hints(cls)
    instance = example if example is not None else _try_default_instance(cls)
    for spec in fields(cls):
        if not spec.init or spec.name.startswith("_"):
            continue
        kind = hints[spec.name]
        path = _join(prefix, spec.name)
        meta = spec.metadata
        value = getattr(instance, spec.name, MISSING) if instance is not None else MISSING
        origin = typing.get_origin(kind)
        if is_dataclass(kind):
            yield from parameter_docs(kind, path, value if value is not MISSING else None)
            continue
        if origin is dict:
            _key, value_type = typing.get_args(kind)
            if is_dataclass(value_type):
                if meta.get("choices"):
                    for key in meta["choices"]:
                        sub = value.get(key) if isinstance(value, Mapping) else None
                        yield from parameter_docs(value_type, f"{path}.{key}", sub)
                else:
                    yield from parameter_docs(value_type, f"{path}.<name>")
                continue
        default = value if value is not MISSING else _default_of(spec)
        yield ParameterDoc(
            path=path,
            default=None if default is MISSING else to_mapping(default),
            unit=str(meta.get("unit", "")),
            allowed=allowed_text(meta, kind if kind in (int, float) else None)
            if kind in (int, float) or meta.get("choices")
            else _kind_text(kind) + _caps_text(meta, kind),
            help=str(meta.get("help", "")),
            source=meta.get("source", "assumed"),
        )


def _caps_text(meta: Mapping[str, Any], kind: Any) -> str:
    """' (at most 200 characters, one line)' for texts and lists whose caps are declared."""
    origin = typing.get_origin(kind)
    parts = []
    if origin in (tuple, list, dict) and meta.get("max_items"):
        parts.append(_("at most {cap} items").format(cap=format_number(meta['max_items'])))
    if meta.get("max_length"):
        parts.append(_("at most {cap} characters").format(cap=format_number(meta['max_length'])))
    if meta.get("single_line"):
        parts.append(_("one line"))
    return f" ({', '.join(parts)})" if parts else ""


def _kind_text(kind: Any) -> str:
    origin = typing.get_origin(kind)
    if kind is Localized:
        return _("a string, or a table of languages (en = \"...\", fr = \"...\")")
    if kind is bool:
        return _("true or false")
    if kind is str:
        return _("a string")
    if origin in (tuple, list):
        return _("a list")
    if origin is dict:
        return _("a table")
    if origin in (typing.Union, types.UnionType):
        return _(" or ").join(_kind_text(a) for a in typing.get_args(kind))
    return getattr(kind, "__name__", str(kind))


def _try_default_instance(cls: type) -> Any:
    try:
        return cls()
    except TypeError:
        return None
