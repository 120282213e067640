"""Interventions while the simulation runs: a form generated from the intervention dataclasses."""

from __future__ import annotations

import solara

from simulation.events import INTERVENTIONS
from simulation.i18n import _, _l, msg
from simulation.vocabulary import INTERVENTION_TERMS

from .. import labels
from ..controller import Controller
from ..levers import (
    build_request,
    check_range,
    format_value,
    intervention_defaults,
    intervention_specs,
    parse_number,
)

QUICK = (
    (_l("Train all departments"), "training", {"departments": [
        "executive", "marketing", "communication", "customer_service", "crm", "pr", "hr",
        "quality", "rnd"]}),
    (_l("Executive sponsorship"), "sponsorship", {}),
    (_l("Inject a crisis"), "crisis", {}),
)
# What an empty choice means, by field (a select never shows an empty line).
EMPTY_CHOICE = {"mix": _l("(unchanged)"), "agency": _l("(no new agency)"),
                "replaces": _l("(all current agencies)")}


def kind_label(kind: str) -> str:
    """The intervention kind's label (simulation.vocabulary), in the tab's language."""
    return str(labels.intervention(kind))


def initial_values(kind: str) -> dict:
    return {name: (value if isinstance(value, list) else format_value(value))
            for name, value in intervention_defaults(kind).items()}


def apply_intervention(ctl: Controller, kind: str, brand: str, values: dict) -> str | None:
    """Validate and apply now; returns the refusal message, or None (the log line is shown)."""
    agencies = tuple(ctl.setup.value.config.agencies)
    try:
        request = build_request(kind, brand, values, agencies)
        ctl.catch_up_for_change()  # looking back at a past day: the what-if starts there
        item = ctl.session.intervene(request)
    except ValueError as error:
        return str(error)
    ctl.publish()
    ctl.say("success", msg("Day {day}: {text}", day=item.day, text=item.text))
    return None


@solara.component
def InterventionField(spec, value, on_value, agencies: tuple[str, ...]):
    error, set_error = solara.use_state("")
    label = (_("{label} ({unit})").format(label=spec.label, unit=spec.unit) if spec.unit
             else str(spec.label))
    term = labels.FIELD_TERMS.get(spec.name)
    if spec.kind in ("int", "float"):
        def changed(text):
            on_value(text)
            try:
                check_range(parse_number(text, spec), spec)
                set_error("")
            except ValueError as problem:
                set_error(str(problem))

        solara.InputText(label, value=value or "", on_value=changed, continuous_update=True,
                         error=error or False, message=spec.hint,
                         classes=[f"socbiz-field-{spec.name}"])
    elif spec.kind == "multi":
        solara.SelectMultiple(label, values=list(value or []), on_value=on_value,
                              all_values=labels.choices(spec.choices, term))
    elif spec.kind == "choice":
        # The ids are the values; the text is the label (an empty id: what "none" means here).
        empty = EMPTY_CHOICE.get(spec.name, "—")

        def word(choice):
            return str(term(choice)) if term else choice

        items = [{"text": str(empty) if c == "" else word(c), "value": c}
                 for c in spec.choices]
        current = value or ""
        solara.Select(label, value=current if current in spec.choices else spec.choices[0],
                      values=items, on_value=lambda c: on_value(c or ""))
    else:
        solara.InputText(label, value=str(value or ""), on_value=on_value,
                         continuous_update=True)


@solara.component
def InterventionForm(ctl: Controller):
    snap = ctl.snap.value
    brands = list(snap.config.brands)
    agencies = tuple(snap.config.agencies)
    kind, set_kind = solara.use_state("training")
    brand, set_brand = solara.use_state(brands[0])
    values, set_values = solara.use_state(initial_values("training"))
    problem, set_problem = solara.use_state("")
    if brand not in brands:
        brand = brands[0]

    def choose_kind(new):
        set_kind(new)
        set_values(initial_values(new))
        set_problem("")

    def apply():
        set_problem(apply_intervention(ctl, kind, brand, values) or "")

    def quick(kind_, extra):
        def run():
            data = {**initial_values(kind_), **extra}
            set_problem(apply_intervention(ctl, kind_, brand, data) or "")
        return run

    disabled = not snap.running
    # The kind has a line of its own: in a card a third of the page wide, its label ("Programme
    # de formation", "Listening / social CRM") is cut beside the brand at 1366 and 1920 px.
    solara.Select(_("Intervention"), value=kind, on_value=choose_kind,
                  values=labels.choices(INTERVENTIONS, kind_label))
    solara.Select(_("Brand"), value=brand, values=brands, on_value=set_brand,
                  style={"max-width": "220px"})
    solara.Text(_describe(kind), classes=["socbiz-help"])
    for spec in intervention_specs(kind, agencies):
        def set_field(new, name=spec.name):
            set_values(lambda old: {**old, name: new})
            set_problem("")

        InterventionField(spec, values.get(spec.name), set_field, agencies).key(
            f"{kind}-{spec.name}")
    solara.Button(_("Apply now"), icon_name="mdi-lightning-bolt",
                  color="primary", on_click=apply, disabled=disabled,
                  classes=["socbiz-apply"])
    if problem:
        solara.Error(problem, dense=True)
    if disabled:
        solara.Text(_("The run is over: Reset to intervene again."), classes=["socbiz-help"])
    else:
        solara.Text(_("Day {day} is over: an intervention acts at the start of day {next}, "
                      "before that day's dynamics, and is logged on that day.").format(
                          day=snap.day, next=snap.day + 1), classes=["socbiz-help"])
    with solara.Row(gap="4px", style={"flex-wrap": "wrap", "margin-top": "4px"}):
        solara.Text(_("Quick:"), classes=["socbiz-help"])
        for label, kind_, extra in QUICK:
            solara.Button(str(label), on_click=quick(kind_, extra), small=True, outlined=True,
                          disabled=disabled)


DESCRIPTIONS = {
    "training": _l("Train the chosen departments' staff (costs come out of the training "
                   "budget)."),
    "sponsorship": _l("The executive committee commits to the transformation."),
    "hiring": _l("Add daily social-media hours to a department (8 = one full-time person)."),
    "content": _l("Change posting frequency, content mix and/or push share (empty: "
                  "unchanged)."),
    "listening": _l("Deploy listening and integrate it with CRM (social CRM)."),
    "switch_agency": _l("End a contract and/or sign with another agency."),
    "crisis": _l("An unplanned crisis: a complaint of high virality posted by well-connected "
                 "people."),
}


def _describe(kind: str) -> str:
    """The form's one-line description: the dashboard's own, else the vocabulary's help."""
    described = DESCRIPTIONS.get(kind)
    if described is not None:
        return str(described)
    term = INTERVENTION_TERMS.get(kind)
    return str(term.help if term and term.help else kind_label(kind))
