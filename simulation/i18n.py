"""French and English: the message catalogue, the language choice and locale-aware formatting.

Rules:
- Every sentence a person reads (CLI output and ``--help``, error messages, event-log text,
  dashboard and workshop labels, chart titles, parameter help texts and units, data-dictionary
  descriptions) goes through this module. Identifiers never do: column names, event kinds,
  scenario keys, TOML keys and JSON fields stay stable English identifiers so scripts keep working.
- The catalogue is gettext, managed with Babel: one domain, ``socbiz``, whose French catalogue
  is ``simulation/locale/fr/LC_MESSAGES/socbiz.po`` (the source translators edit) and its compiled
  ``socbiz.mo`` (committed beside it and shipped as package data, so an editable install and a
  wheel both find it with no build step). English is the source language: it has no catalogue.
  If the ``.mo`` is missing, the ``.po`` is compiled in memory (the same compiler ``pybabel
  compile`` uses); ``tests/test_i18n.py`` checks that the committed ``.mo`` says what the ``.po``
  says.
- Message ids are the English text exactly as it is shown (the gettext convention, so the
  English output is the source and never needs a lookup). Placeholders are named, in ``str.format``
  style (``_("Crisis level {level} for {brand}").format(level=2, brand="acme")``), never
  positional and never an f-string inside ``_()``, so a translator can reorder them. A msgid is
  never computed at run time (``_(name)`` with a variable is not extracted). When one English
  word needs two French translations, ``pgettext(context, message)`` tells them apart; the
  context names the place (``"unit"``, ``"event"``, ``"column"``).
- Plurals go through :func:`ngettext` (English: one when n == 1; French: one when n <= 1, the
  catalogue's ``Plural-Forms: nplurals=2; plural=(n > 1)``), never through ``"s" if n > 1``.
- Strings created at import time (``param()`` help texts and units, labels in module-level
  registries) use :func:`lazy_gettext` (alias ``_l``): a :class:`LazyString` that looks itself up
  each time it is turned into text, so the same declaration serves both languages.
- The language is chosen, in this order: an explicit choice (``--lang fr`` on the command line,
  the switch in the dashboard), then the ``SOCBIZ_LANG`` environment variable, then English.
  :func:`set_language` sets it for the process; ``with language("fr"):`` sets it for a block
  (a context variable, so two dashboard sessions in two threads can speak two languages).
  A front end with sessions of its own registers a *language source* (:func:`add_language_source`,
  consulted after a ``with language`` block and before the process language): the dashboard's
  is the page's FR/EN switch, defaulting to the browser's language (dashboards/components/
  language.py).
- Numbers, percentages, euros and dates are formatted for the current language with Babel
  (``20 000`` with a narrow no-break space, ``12,5 %``, ``200 000 €`` in French); typed numbers
  are read leniently in either language by :func:`parse_number`.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import gettext as _gettext
import io
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

DOMAIN = "socbiz"
LANGUAGES: tuple[str, ...] = ("en", "fr")
DEFAULT_LANGUAGE = "en"
LANGUAGE_NAMES = {"en": "English", "fr": "Français"}
ENV_VARIABLE = "SOCBIZ_LANG"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
# The Babel locale each language formats with (English as written in Europe: 1 December 2026).
BABEL_LOCALES = {"en": "en_GB", "fr": "fr_FR"}
# Keywords the extractor looks for (``pybabel extract -k ...``); babel.cfg says which files.
# ``param:2``: the help text of a param() declaration (its second argument, translated lazily).
EXTRA_KEYWORDS = ("_l", "lazy_gettext", "lazy_pgettext:1c,2", "lazy_ngettext:1,2", "param:2",
                  "msg", "nmsg:1,2")

_process_language: str | None = None
# Callables returning the language of the current session (or None: not in a session).
_language_sources: list[Any] = []
_asking_sources: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "socbiz_asking_language_sources", default=False)
_block_language: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "socbiz_language", default=None)


class LanguageError(ValueError):
    """A language that socbiz does not speak; one-line message."""


# ----------------------------------------------------------------------------------------------
# Choosing the language


def _language_code(value: str | None) -> str | None:
    code = re.split(r"[-_.@]", str(value or "").strip().lower(), maxsplit=1)[0]
    return code if code in LANGUAGES else None


def normalise_language(value: str) -> str:
    """``"fr"``, ``"FR"``, ``"fr_FR.UTF-8"``, ``"fr-CA"`` -> ``"fr"``; LanguageError otherwise."""
    code = _language_code(value)
    if code is None:
        raise LanguageError(_("unknown language {value} (choose one of: {choices})").format(
            value=repr(str(value)), choices=", ".join(LANGUAGES)))
    return code


def resolve_language(explicit: str | None = None) -> str:
    """The language to use: ``explicit`` if given, else ``$SOCBIZ_LANG`` if set, else English."""
    if explicit:
        return normalise_language(explicit)
    from_env = os.environ.get(ENV_VARIABLE, "").strip()
    if from_env:
        try:
            return normalise_language(from_env)
        except LanguageError as error:
            raise LanguageError(f"{ENV_VARIABLE}: {error}") from None
    return DEFAULT_LANGUAGE


def set_language(value: str | None) -> str:
    """Choose the language for the whole process (``None``: back to $SOCBIZ_LANG / English)."""
    global _process_language
    _process_language = normalise_language(value) if value else None
    return current_language()


def current_language() -> str:
    """The language in force here: a ``with language(...)`` block, set_language, env, English.

    Never raises: a bad ``SOCBIZ_LANG`` means English here (the CLI reports it, through
    :func:`resolve_language`).
    """
    block = _block_language.get()
    if block:
        return block
    if _language_sources and not _asking_sources.get():
        token = _asking_sources.set(True)  # a source that itself translates gets the fallback
        try:
            for source in _language_sources:
                chosen = source()
                if chosen:
                    return chosen
        finally:
            _asking_sources.reset(token)
    return (_process_language or _language_code(os.environ.get(ENV_VARIABLE))
            or DEFAULT_LANGUAGE)


def add_language_source(source) -> None:
    """Register ``source()``: the current session's language, or None outside a session.

    Consulted by :func:`current_language` after a ``with language(...)`` block (idempotent).
    """
    if source not in _language_sources:
        _language_sources.append(source)


@contextlib.contextmanager
def language(value: str | None) -> Iterator[str]:
    """Speak ``value`` inside the block (this thread / task only); ``None`` changes nothing."""
    token = _block_language.set(normalise_language(value) if value else _block_language.get())
    try:
        yield current_language()
    finally:
        _block_language.reset(token)


@contextlib.contextmanager
def process_language(value: str | None) -> Iterator[str]:
    """set_language for the length of a block (a CLI command), then back to what it was."""
    global _process_language
    previous = _process_language
    set_language(value)
    try:
        yield current_language()
    finally:
        _process_language = previous


def language_from_accept(header: str | None, default: str | None = DEFAULT_LANGUAGE) -> str | None:
    """The best language for a browser's ``Accept-Language`` header (``default`` if none fits)."""
    best, best_q = default, -1.0
    for part in (header or "").split(","):
        tag, _sep, params = part.strip().partition(";")
        q = 1.0
        match = re.search(r"q=([0-9.]+)", params)
        if match:
            try:
                q = float(match.group(1))
            except ValueError:
                q = 0.0
        code = _language_code(tag)
        if code is None:
            continue
        # q=0 means "not this one"; of equal weights the first wins (the header's order).
        if q > 0 and q > best_q:
            best, best_q = code, q
    return best


# ----------------------------------------------------------------------------------------------
# The catalogue


def catalogue_path(lang: str, suffix: str = ".po") -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}{suffix}"


@functools.cache
def translations(lang: str) -> _gettext.NullTranslations:
    """The compiled catalogue of ``lang`` (English: the identity)."""
    if lang == DEFAULT_LANGUAGE:
        return _gettext.NullTranslations()
    mo = catalogue_path(lang, ".mo")
    if mo.is_file():
        with mo.open("rb") as handle:
            return _gettext.GNUTranslations(handle)
    po = catalogue_path(lang, ".po")
    if po.is_file():
        return _gettext.GNUTranslations(io.BytesIO(compile_po(po)))
    return _gettext.NullTranslations()


def compile_po(po: Path) -> bytes:
    """The ``.mo`` bytes of a ``.po`` file, as ``pybabel compile`` writes them (no fuzzy)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po.open("rb") as handle:
        catalog = read_po(handle)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    return buffer.getvalue()


def _active() -> _gettext.NullTranslations:
    return translations(current_language())


def gettext(message: str) -> str:
    """``message`` (its English text) in the current language."""
    return _active().gettext(message)


_ = gettext


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural template for ``n``, by the current language's plural rule.

    The template is returned unformatted: ``ngettext("{n} day", "{n} days", n).format(n=n)``.
    """
    return _active().ngettext(singular, plural, int(n))


def pgettext(context: str, message: str) -> str:
    """``message`` in the current language, where ``context`` tells apart two translations."""
    return _active().pgettext(context, message)


def npgettext(context: str, singular: str, plural: str, n: int) -> str:
    return _active().npgettext(context, singular, plural, int(n))


class LazyString:
    """A message looked up when it is used, not when it is declared (for import-time strings).

    It behaves as the translated ``str`` in f-strings, ``str()``, ``+``, ``%``, comparisons,
    ``len`` and string methods (``.strip()``, ``.format()`` ...); it compares equal to its
    translation in the current language, which is the English source when English is spoken.
    """

    __slots__ = ("_context", "_message", "_plural", "_n")

    def __init__(self, message: str, context: str | None = None,
                 plural: str | None = None, n: int | None = None):
        self._message = message
        self._context = context
        self._plural = plural
        self._n = n

    @property
    def msgid(self) -> str:
        return self._message

    def __str__(self) -> str:
        if self._plural is not None:
            if self._context is not None:
                return npgettext(self._context, self._message, self._plural, self._n or 0)
            return ngettext(self._message, self._plural, self._n or 0)
        if self._context is not None:
            return pgettext(self._context, self._message)
        return gettext(self._message)

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)

    def __repr__(self) -> str:
        return f"_l({self._message!r})"

    def __getattr__(self, name: str) -> Any:
        return getattr(str(self), name)

    def __eq__(self, other: object) -> bool:
        return str(self) == (str(other) if isinstance(other, LazyString) else other)

    def __lt__(self, other: object) -> bool:
        return str(self) < str(other)

    def __hash__(self) -> int:
        return hash(self._message)

    def __len__(self) -> int:
        return len(str(self))

    def __bool__(self) -> bool:
        return bool(self._message)

    def __contains__(self, item: str) -> bool:
        return item in str(self)

    def __iter__(self):
        return iter(str(self))

    def __getitem__(self, key):
        return str(self)[key]

    def __add__(self, other: object) -> str:
        return str(self) + str(other)

    def __radd__(self, other: object) -> str:
        return str(other) + str(self)

    def __mul__(self, n: int) -> str:
        return str(self) * n

    def __mod__(self, values: Any) -> str:
        return str(self) % values

    def __reduce__(self):
        return (LazyString, (self._message, self._context, self._plural, self._n))


def lazy_gettext(message: str) -> LazyString:
    """A message translated each time it is used (module-level strings, param() help)."""
    return LazyString(message)


_l = lazy_gettext


def lazy_pgettext(context: str, message: str) -> LazyString:
    return LazyString(message, context=context)


def lazy_ngettext(singular: str, plural: str, n: int) -> LazyString:
    return LazyString(singular, plural=plural, n=n)


# The units of param() declarations, as shown to people (the code keeps the key: "days").
# A unit not listed here is shown as written; tests/test_i18n.py fails on such a unit.
UNITS: dict[str, LazyString] = {
    "day": lazy_pgettext("unit", "day"),
    "days": lazy_pgettext("unit", "days"),
    "1/day": lazy_pgettext("unit", "1/day"),
    "1/year": lazy_pgettext("unit", "1/year"),
    "people": lazy_pgettext("unit", "people"),
    "posts/day": lazy_pgettext("unit", "posts/day"),
    "hours": lazy_pgettext("unit", "hours"),
    "hours/day": lazy_pgettext("unit", "hours/day"),
    "departments": lazy_pgettext("unit", "departments"),
    "run": lazy_pgettext("unit", "run"),
    "€": lazy_pgettext("unit", "€"),
    "€/hour": lazy_pgettext("unit", "€/hour"),
    "€/day": lazy_pgettext("unit", "€/day"),
    "€/month": lazy_pgettext("unit", "€/month"),
    "€/year": lazy_pgettext("unit", "€/year"),
}


def unit_label(code: str) -> str | LazyString:
    """The unit ``code`` of a param() declaration, in the language of the moment."""
    return UNITS.get(code, code) if code else code


def text(value: Any) -> str:
    """Plain ``str`` of a value that may be lazy (for JSON, TOML and other serialisers)."""
    return str(value) if isinstance(value, LazyString) else value


class Localized(str):
    """A text written in each language by its author (scenario titles, narratives).

    In a TOML file it is either one string (the same in every language) or a table with one
    entry per language, ``{ en = "...", fr = "..." }``. It *is* the English ``str`` (so code that
    compares, slices or serialises it keeps working), and ``str()``, f-strings and
    :meth:`in_language` give the text of the current (or named) language, falling back to
    English. ``texts`` holds every version; ``to_data()`` gives back what the file said.
    """

    texts: dict[str, str]

    def __new__(cls, value: str | dict[str, str] | Localized = ""):
        if isinstance(value, Localized):
            texts = dict(value.texts)
        elif isinstance(value, str):
            texts = {DEFAULT_LANGUAGE: value}
        else:
            texts = {normalise_language(k): str(v) for k, v in dict(value).items()}
        self = super().__new__(cls, texts.get(DEFAULT_LANGUAGE) or next(iter(texts.values()), ""))
        self.texts = texts
        return self

    def __getnewargs__(self):
        return (dict(self.texts),)

    @property
    def is_translated(self) -> bool:
        """True if every language has its own text (what a preset must have)."""
        return all(self.texts.get(lang, "").strip() for lang in LANGUAGES) or not self

    def in_language(self, lang: str | None = None) -> str:
        code = normalise_language(lang) if lang else current_language()
        return self.texts.get(code) or str.__str__(self)

    def __str__(self) -> str:
        return self.in_language()

    def __format__(self, spec: str) -> str:
        return format(self.in_language(), spec)

    def __repr__(self) -> str:
        return f"Localized({self.texts!r})"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Localized):
            return self.texts == other.texts or (
                len(self.texts) == len(other.texts) == 1 and str.__eq__(self, other))
        return str.__eq__(self, other)

    __hash__ = str.__hash__

    def to_data(self) -> str | dict[str, str]:
        """What a TOML file says: one string, or the table of languages."""
        if set(self.texts) == {DEFAULT_LANGUAGE}:
            return self.texts[DEFAULT_LANGUAGE]
        return dict(self.texts)


# ----------------------------------------------------------------------------------------------
# Sentences kept as data (the event log)


class Message:
    """A sentence kept as data: its English template (and plural) and its values.

    The event log stores these, not text: ``msg("Crisis level {level} for {brand}", level=2,
    brand="acme")``. ``str()`` renders it in the current language, ``render("fr")`` in a named
    one, so one run can be read (and exported) in either language. Values are rendered when
    the sentence is: a Message or LazyString value is translated, a :class:`Number`,
    :class:`Percent` or :class:`Money` is formatted for the locale, anything else is ``str()``.
    Templates carry no format specs (``{share}``, not ``{share:.0%}``): pass ``Percent(share)``.
    """

    __slots__ = ("template", "plural", "n", "values")

    def __init__(self, template: str, values: dict[str, Any] | None = None,
                 plural: str | None = None, n: int | None = None):
        self.template = template
        self.plural = plural
        self.n = n
        self.values = dict(values or {})

    def render(self, lang: str | None = None) -> str:
        with language(lang):
            if self.plural is not None:
                template = ngettext(self.template, self.plural, self.n or 0)
            else:
                template = gettext(self.template)
            return template.format(**self.values)

    def __str__(self) -> str:
        return self.render()

    def __format__(self, spec: str) -> str:
        return format(self.render(), spec)

    def __repr__(self) -> str:
        return f"msg({self.template!r}, **{self.values!r})"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Message):
            return (self.template, self.plural, self.n, self.values) == (
                other.template, other.plural, other.n, other.values)
        return isinstance(other, str) and self.render() == other

    def __hash__(self) -> int:
        return hash(self.template)

    def __contains__(self, item: str) -> bool:
        return item in self.render()


def msg(template: str, **values: Any) -> Message:
    """A sentence to render later: ``msg("{brand} hires {hours} hours a day", brand=..., ...)``."""
    return Message(template, values)


def nmsg(singular: str, plural: str, n: int, **values: Any) -> Message:
    """A sentence with a plural, chosen by ``n`` (also available as ``{n}``, locale-formatted)."""
    values.setdefault("n", Number(n))
    return Message(singular, values, plural=plural, n=int(n))


class Number:
    """A number that formats itself for the language of the moment (1 234,5 / 1,234.5)."""

    __slots__ = ("value", "digits", "signed")

    def __init__(self, value: float, digits: int | None = None, signed: bool = False):
        self.value, self.digits, self.signed = value, digits, signed

    def __format__(self, spec: str) -> str:
        return format_number(self.value, self.digits, signed=self.signed)

    def __str__(self) -> str:
        return self.__format__("")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Number) and (self.value, self.digits, self.signed) == (
            other.value, other.digits, other.signed)

    def __repr__(self) -> str:
        return f"Number({self.value!r}, {self.digits!r})"


class Percent(Number):
    """A share shown as a percentage (0.3 -> 30% / 30 %); ``digits`` decimals (default 0)."""

    def __init__(self, value: float, digits: int = 0):
        super().__init__(value, digits)

    def __format__(self, spec: str) -> str:
        return format_percent(self.value, self.digits)


class Money(Number):
    """An amount in euros, without cents by default (€200,000 / 200 000 €)."""

    def __init__(self, value: float, digits: int = 0):
        super().__init__(value, digits)

    def __format__(self, spec: str) -> str:
        return format_currency(self.value, "EUR", self.digits)


# The words for the domain's identifiers inside sentences ("customer service" for the
# department customer_service), as they sit mid-sentence (French with its article: "le service
# client"); English is the id made readable. tests/test_i18n.py walks the model's registries
# (departments, crisis causes, phases) and fails if one of their ids has no entry here.
TERMS: dict[tuple[str, str], LazyString] = {
    ("department", "executive"): lazy_pgettext("department", "executive"),
    ("department", "marketing"): lazy_pgettext("department", "marketing"),
    ("department", "communication"): lazy_pgettext("department", "communication"),
    ("department", "customer_service"): lazy_pgettext("department", "customer service"),
    ("department", "crm"): lazy_pgettext("department", "crm"),
    ("department", "pr"): lazy_pgettext("department", "pr"),
    ("department", "hr"): lazy_pgettext("department", "hr"),
    ("department", "quality"): lazy_pgettext("department", "quality"),
    ("department", "rnd"): lazy_pgettext("department", "rnd"),
    ("crisis_cause", "product_defect"): lazy_pgettext("crisis cause", "product defect"),
    ("crisis_cause", "employee_video"): lazy_pgettext("crisis cause", "employee video"),
    ("crisis_cause", "ngo_attack"): lazy_pgettext("crisis cause", "ngo attack"),
    ("phase", "1"): lazy_pgettext("phase", "experimentation"),
    ("phase", "2"): lazy_pgettext("phase", "social marketing"),
    ("phase", "3"): lazy_pgettext("phase", "social business"),
}


def term(kind: str, term_id: object) -> LazyString | str:
    """The word for identifier ``term_id`` of ``kind`` in a sentence (the id if unknown)."""
    return TERMS.get((kind, str(term_id)), str(term_id).replace("_", " "))


class Join:
    """Several values (Messages, names, numbers) shown as one, rendered when the sentence is."""

    __slots__ = ("items", "separator")

    def __init__(self, items, separator: str = ", "):
        self.items, self.separator = tuple(items), separator

    def __format__(self, spec: str) -> str:
        return self.separator.join(format(item, "") for item in self.items)

    def __str__(self) -> str:
        return self.__format__("")

    def __bool__(self) -> bool:
        return bool(self.items)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Join) and (self.items, self.separator) == (
            other.items, other.separator)

    def __repr__(self) -> str:
        return f"Join({self.items!r})"


# ----------------------------------------------------------------------------------------------
# argparse's own messages ("usage:", "options", "invalid choice ...")


def N_(message: str) -> str:
    """Mark a string for the catalogue without translating it here (it is translated later)."""
    return message


# What argparse (Python 3.12) passes through gettext and a person can see, so the extractor
# puts them in the catalogue; install_argparse() routes argparse's lookups to our catalogue.
ARGPARSE_MESSAGES = (
    N_("usage: "), N_("positional arguments"), N_("options"),
    N_("show this help message and exit"), N_("show program's version number and exit"),
    N_("argument %(argument_name)s: %(message)s"), N_("unrecognized arguments: %s"),
    N_("the following arguments are required: %s"), N_("one of the arguments %s is required"),
    N_("expected one argument"), N_("expected at most one argument"),
    N_("expected at least one argument"), N_("not allowed with argument %s"),
    N_("ignored explicit argument %r"), N_("ambiguous option: %(option)s could match %(matches)s"),
    N_("invalid %(type)s value: %(value)r"),
    N_("invalid choice: %(value)r (choose from %(choices)s)"),
    N_("unknown parser %(parser_name)r (choices: %(choices)s)"),
    N_("can't open '%(filename)s': %(error)s"), N_("%(prog)s: error: %(message)s\n"),
)
ARGPARSE_PLURALS = (lazy_ngettext("expected %s argument", "expected %s arguments", 1),)


def install_argparse() -> None:
    """Make argparse look its own messages up in our catalogue, in the current language.

    argparse calls the module-level ``_`` and ``ngettext`` it imported from gettext; they are
    replaced by ours (idempotent; English is unchanged, as our English is the identity).
    """
    import argparse

    argparse._ = gettext
    argparse.ngettext = ngettext


# ----------------------------------------------------------------------------------------------
# Formatting for the locale (Babel)


def babel_locale(lang: str | None = None) -> str:
    return BABEL_LOCALES[normalise_language(lang) if lang else current_language()]


@functools.cache
def _parsed_locale(identifier: str):
    """Babel's Locale for an identifier, parsed once (parsing costs a few ms per call)."""
    from babel import Locale

    return Locale.parse(identifier)


def format_number(value: float, digits: int | None = None, *, signed: bool = False,
                  lang: str | None = None) -> str:
    """``20 000`` / ``20,000``; ``digits`` fixes the decimals (default: up to three, as needed)."""
    from babel.numbers import format_decimal

    pattern = None
    if digits is not None or signed:
        body = "#,##0" + ("." + "0" * digits if digits else "" if digits == 0 else ".###")
        pattern = f"+{body};-{body}" if signed else body
    return format_decimal(value, format=pattern, locale=_parsed_locale(babel_locale(lang)))


def format_percent(fraction: float, digits: int = 1, *, lang: str | None = None) -> str:
    """A share as a percentage: 0.125 -> ``12.5%`` / ``12,5 %``."""
    from babel.numbers import format_percent as babel_percent

    locale = _parsed_locale(babel_locale(lang))
    pattern = locale.percent_formats[None].pattern
    # The locale's own pattern (it places the sign and the space) with our number of decimals.
    number = "#,##0" + ("." + "0" * digits if digits > 0 else "")
    pattern = re.sub(r"#,##0(\.0+)?|#,##,##0(\.0+)?", number, pattern, count=1)
    return babel_percent(fraction, format=pattern, locale=locale)


def format_currency(amount: float, currency: str = "EUR", digits: int | None = None, *,
                    lang: str | None = None) -> str:
    """Money in the locale: ``€200,000.00`` / ``200 000,00 €``; ``digits=0`` for round sums."""
    from babel.numbers import format_currency as babel_currency

    locale = _parsed_locale(babel_locale(lang))
    if digits is None:
        return babel_currency(amount, currency, locale=locale)
    pattern = locale.currency_formats["standard"].pattern.split(";")[0]
    number = "#,##0" + ("." + "0" * digits if digits > 0 else "")
    pattern = re.sub(r"#,##0(\.0+)?", number, pattern, count=1)
    return babel_currency(amount, currency, format=pattern, locale=locale, currency_digits=False)


def format_date(value: Any, style: str = "medium", *, lang: str | None = None) -> str:
    """A date (or datetime) in the locale: ``1 Dec 2026`` / ``1 déc. 2026``."""
    from babel.dates import format_date as babel_date

    return babel_date(value, format=style, locale=babel_locale(lang))


def format_datetime(value: Any, style: str = "medium", *, lang: str | None = None) -> str:
    from babel.dates import format_datetime as babel_datetime

    return babel_datetime(value, format=style, locale=babel_locale(lang))


# ----------------------------------------------------------------------------------------------
# Reading numbers people type

# Spaces people (and Babel's French output) put between thousands: space, no-break space,
# narrow no-break space, thin space; and the underscore of Python literals.
_GROUP_SPACES = re.compile(r"[ \u00a0\u202f\u2009_']")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def _not_a_number(typed: Any) -> ValueError:
    return ValueError(_("{text} is not a number").format(text=repr(str(typed).strip())))


def parse_number(typed: Any, *, lang: str | None = None) -> float:
    """Read a number as typed by a French or English speaker; ValueError if it is not one.

    Accepted in both languages: ``20 000`` (any space, no-break or narrow no-break space as a
    thousands separator), ``1,5`` and ``1.5``, ``1 234,5``, ``1.234,5`` and ``1,234.5`` (the
    last separator is the decimal one), ``5e3``, a leading ``+``/``-``/``−``, and a trailing
    ``€`` or ``%`` (dropped: ``20 %`` reads 20; the caller decides what the unit means).
    One ambiguity is settled by the language: ``1,500`` is 1500 in English and 1.5 in French
    (a French speaker writes the decimal comma; an English one groups thousands with it).
    """
    if isinstance(typed, bool):
        raise _not_a_number(typed)
    if isinstance(typed, int | float):
        return float(typed)
    raw = _GROUP_SPACES.sub("", str(typed).strip()).replace("\u2212", "-")
    raw = raw.removesuffix("€").removesuffix("%").removeprefix("€")
    commas, dots = raw.count(","), raw.count(".")
    if commas and dots:
        decimal = "," if raw.rfind(",") > raw.rfind(".") else "."
        group = "." if decimal == "," else ","
        if raw.count(decimal) > 1:
            raise _not_a_number(typed)
        raw = raw.replace(group, "").replace(",", ".")
    elif commas > 1:
        if not re.fullmatch(r"[+-]?\d{1,3}(,\d{3})+", raw):
            raise _not_a_number(typed)
        raw = raw.replace(",", "")  # 1,234,567
    elif commas == 1:
        head, tail = raw.split(",")
        english_grouping = (
            (lang or current_language()) == "en"
            and re.fullmatch(r"[+-]?\d{1,3}", head) and re.fullmatch(r"\d{3}", tail))
        raw = head + tail if english_grouping else head + "." + tail
    elif dots > 1:
        if not re.fullmatch(r"[+-]?\d{1,3}(\.\d{3})+", raw):
            raise _not_a_number(typed)
        raw = raw.replace(".", "")  # 1.234.567, as some French speakers group
    if not _NUMBER.fullmatch(raw):
        raise _not_a_number(typed)
    return float(raw)


def parse_integer(typed: Any, *, lang: str | None = None) -> int:
    """A whole number as typed in either language (``20 000``, ``1,000`` in English, ``365``);
    ValueError if it is not one (seeds, days, counts typed in the dashboard)."""
    value = parse_number(typed, lang=lang)
    if not float(value).is_integer():
        raise ValueError(_("{text} is not a whole number").format(text=repr(str(typed).strip())))
    return int(value)
