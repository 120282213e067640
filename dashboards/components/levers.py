"""The levers panel: scenario values grouped by theme, with help text, units and validation."""

from __future__ import annotations

import solara
from solara import v

from simulation.config import DEPARTMENTS
from simulation.i18n import _, current_language, msg, ngettext

from .. import labels
from ..controller import Controller
from ..levers import LEVER_GROUPS, FieldSpec, format_value, levers, parse_number
from ..state import _value_at


def apply_lever(ctl: Controller, key: str, value) -> str | None:
    """Set a lever; returns the refusal message, or None when accepted."""
    try:
        rebuilt = ctl.session.set_lever(key, value)
    except ValueError as error:
        return _short(str(error))
    ctl.publish()
    if rebuilt:
        ctl.say("success", msg("{key} = {value}: the run restarts from day 0 with it.",
                               key=key, value=format_value(value)))
    else:
        ctl.say("info", msg("{key} = {value}: takes effect when you restart the run (Reset).",
                            key=key, value=format_value(value)))
    return None


def _short(message: str) -> str:
    """Drop the loader's "scenario 'x': " prefix: the field already says where it is."""
    if message.startswith("scenario '") and "': " in message:
        return message.split("': ", 1)[1]
    if message.startswith("override ") and ": " in message:
        return message.split(": ", 1)[1]
    return message


@solara.component
def LeverField(ctl: Controller, spec: FieldSpec):
    setup = ctl.setup.value
    value = _value_at(setup.config, spec.key)
    changed = spec.key in setup.overrides
    text, set_text = solara.use_state(format_value(value))
    error, set_error = solara.use_state("")

    def sync():
        set_text(format_value(value))
        set_error("")

    # The text is written for the language (0,5 in French): written again when it changes.
    solara.use_effect(sync, [repr(value), current_language()])
    label = _("{label} ({unit})").format(label=spec.label, unit=spec.unit) if spec.unit else (
        str(spec.label))
    label += " •" if changed else ""  # a mark, not a word: this value was changed

    if spec.kind in ("int", "float"):
        def commit(new_text):
            set_text(new_text)
            try:
                number = parse_number(new_text, spec)
            except ValueError as problem:
                set_error(str(problem))
                return
            if number == value:
                set_error("")
                return
            set_error(apply_lever(ctl, spec.key, number) or "")

        solara.InputText(label, value=text, on_value=commit, error=error or False,
                         message=spec.hint, classes=["socbiz-lever"])
        return

    def choose(new_value):
        problem = apply_lever(ctl, spec.key, new_value)
        set_error(problem or "")

    term = labels.FIELD_TERMS.get(spec.name)
    if spec.kind == "choice":
        current = value if isinstance(value, str) else "custom"
        values = list(spec.choices) + ([current] if current not in spec.choices else [])
        words = {"custom": _("custom")}
        solara.Select(label, value=current, on_value=choose, values=labels.choices(
            values, lambda c: words.get(c) or (term(c) if term else c)))
    elif spec.kind == "multi":
        solara.SelectMultiple(label, values=list(value), on_value=choose,
                              all_values=labels.choices(spec.choices, term))
    elif spec.kind == "bool":
        solara.Checkbox(label=label, value=bool(value), on_value=choose)
    else:
        solara.Text(_("{label}: {value}").format(label=label, value=value))
    if error:
        solara.Error(error, dense=True)
    solara.Text(spec.hint, classes=["socbiz-help"])


@solara.component
def LeverPanel(ctl: Controller):
    """Grouped scenario levers for a chosen brand, department and agency."""
    setup = ctl.setup.value
    config = setup.config
    brands = list(config.brands)
    agencies = list(config.agencies)
    brand, set_brand = solara.use_state(brands[0])
    department, set_department = solara.use_state("customer_service")
    agency, set_agency = solara.use_state(agencies[0] if agencies else "")
    opened, set_opened = solara.use_state([])
    if brand not in config.brands:
        brand = brands[0]
    if agency and agency not in config.agencies:
        agency = agencies[0] if agencies else ""

    solara.Text(_("Levers define the run from day 0. At day 0 a change restarts the run at "
                  "once; later it waits for Reset, so what you are watching is never thrown "
                  "away."), classes=["socbiz-help"])
    with solara.Row(gap="6px"):
        solara.Select(_("Brand"), value=brand, values=brands, on_value=set_brand, dense=True)
        if agencies:
            solara.Select(_("Agency"), value=agency, values=agencies, on_value=set_agency,
                          dense=True)
    solara.Select(_("Department"), value=department,
                  values=labels.choices(DEPARTMENTS, labels.department),
                  on_value=set_department, dense=True)
    with v.ExpansionPanels(v_model=opened, on_v_model=set_opened, multiple=True, accordion=True):
        for index, (group, description, keys) in enumerate(LEVER_GROUPS):
            specs = levers(keys, config, brand, department, agency or None)
            n_changed = sum(spec.key in setup.overrides for spec in specs)
            title = ngettext("{group} ({n} changed)", "{group} ({n} changed)", n_changed).format(
                group=group, n=n_changed) if n_changed else str(group)
            with v.ExpansionPanel():
                v.ExpansionPanelHeader(children=[title])
                with v.ExpansionPanelContent():
                    if index in (opened or []):
                        solara.Text(str(description), classes=["socbiz-help"])
                        for spec in specs:
                            LeverField(ctl, spec).key(f"{spec.key}")
    if setup.overrides:
        def undo():
            ctl.attempt(lambda: (ctl.session.clear_levers(), ctl.publish()),
                        msg("Lever changes undone."))
        n = len(setup.overrides)
        solara.Button(ngettext("Undo {n} lever change", "Undo {n} lever changes", n).format(n=n),
                      icon_name="mdi-undo", text=True, on_click=undo)
