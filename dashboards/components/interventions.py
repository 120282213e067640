"""Interventions while the simulation runs: a form generated from the intervention dataclasses."""

from __future__ import annotations

import solara

from simulation import vocabulary
from simulation.events import INTERVENTIONS

from ..controller import Controller
from ..levers import (
    build_request,
    check_range,
    format_value,
    intervention_defaults,
    intervention_specs,
    parse_number,
)
from .choices import ChoiceSelect, ChoiceSelectMultiple

KIND_LABELS = {kind: cls.label or kind for kind, cls in INTERVENTIONS.items()}
QUICK = (
    ("Train all departments", "training", {"departments": [
        "executive", "marketing", "communication", "customer_service", "crm", "pr", "hr",
        "quality", "rnd"]}),
    ("Executive sponsorship", "sponsorship", {}),
    ("Inject a crisis", "crisis", {}),
)


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
    ctl.say("success", f"Day {item.day}: {item.text}")
    return None


@solara.component
def InterventionField(spec, value, on_value, agencies: tuple[str, ...]):
    error, set_error = solara.use_state("")
    label = spec.label + (f" ({spec.unit})" if spec.unit else "")
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
        ChoiceSelectMultiple(label, values=list(value or []), choices=list(spec.choices),
                             on_value=lambda chosen: on_value(list(chosen)))
    elif spec.kind == "choice":
        names = {"": "(unchanged)" if spec.name == "mix" else
                 ("(no new agency)" if spec.name == "agency" else
                  ("(all current agencies)" if spec.name == "replaces" else "—"))}
        current = (value or "") if (value or "") in spec.choices else spec.choices[0]
        ChoiceSelect(label, value=current, choices=list(spec.choices), on_value=on_value,
                     names=names)
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

    def choose_kind(label):
        new = next(k for k, lab in KIND_LABELS.items() if str(lab) == label)
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
    with solara.Row(gap="6px"):
        solara.Select("Intervention", value=str(KIND_LABELS[kind]),
                      values=[str(label) for label in KIND_LABELS.values()], on_value=choose_kind)
        solara.Select("Brand", value=brand, values=brands, on_value=set_brand)
    solara.Text(_describe(kind), classes=["socbiz-help"])
    for spec in intervention_specs(kind, agencies):
        def set_field(new, name=spec.name):
            set_values(lambda old: {**old, name: new})
            set_problem("")

        InterventionField(spec, values.get(spec.name), set_field, agencies).key(
            f"{kind}-{spec.name}")
    solara.Button("Apply now", icon_name="mdi-lightning-bolt",
                  color="primary", on_click=apply, disabled=disabled,
                  classes=["socbiz-apply"])
    if problem:
        solara.Error(problem, dense=True)
    if disabled:
        solara.Text("The run is over: Reset to intervene again.", classes=["socbiz-help"])
    else:
        solara.Text(f"Day {snap.day} is over: an intervention acts at the start of day "
                    f"{snap.day + 1}, before that day's dynamics, and is logged on that day.",
                    classes=["socbiz-help"])
    with solara.Row(gap="4px", style={"flex-wrap": "wrap", "margin-top": "4px"}):
        solara.Text("Quick:", classes=["socbiz-help"])
        for label, kind_, extra in QUICK:
            solara.Button(label, on_click=quick(kind_, extra), small=True, outlined=True,
                          disabled=disabled)


DESCRIPTIONS = {
    "training": "Train the chosen departments' staff (costs come out of the training budget).",
    "sponsorship": "The executive committee commits to the transformation.",
    "hiring": "Add daily social-media hours to a department (8 = one full-time person).",
    "content": "Change posting frequency, content mix and/or push share (empty: unchanged).",
    "listening": "Deploy listening and integrate it with CRM (social CRM).",
    "switch_agency": "End a contract and/or sign with another agency.",
    "crisis": "An unplanned crisis: a complaint of high virality posted by well-connected people.",
}


def _describe(kind: str) -> str:
    # A kind without a sentence here (e.g. "reach") has the vocabulary's help (as text: a lazy
    # string in a Text crashed the form).
    term = vocabulary.INTERVENTION_TERMS.get(kind)
    return str(DESCRIPTIONS.get(kind) or (term.help if term else "") or KIND_LABELS.get(kind, kind))
