"""Selects that show human labels and hand back ids (no internal id on screen).

The labels come from :func:`dashboards.labels.choice_labels` (the vocabulary's one table of
names); ``names`` adds or overrides labels for values that are not terms (an empty choice, a
preset's title). Two choices with the same label would be ambiguous: the id is kept for the
second one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import solara

from .. import labels


def _names(choices: Sequence[str], names: Mapping[str, str] | None) -> dict[str, str]:
    found = {**labels.choice_labels(choices), **{k: str(v) for k, v in (names or {}).items()}}
    shown: dict[str, str] = {}
    used: set[str] = set()
    for choice in choices:
        label = found.get(choice, choice)
        if label in used:
            label = choice
        used.add(label)
        shown[choice] = label
    return shown


@solara.component
def ChoiceSelect(label: str, value: str, choices: Sequence[str],
                 on_value: Callable[[str], None], names: Mapping[str, str] | None = None,
                 **kwargs):
    shown = _names(list(choices), names)
    ids = {text: choice for choice, text in shown.items()}
    solara.Select(label, value=shown.get(value, value), values=list(shown.values()),
                  on_value=lambda text: on_value(ids.get(text, text)), **kwargs)


@solara.component
def ChoiceSelectMultiple(label: str, values: Sequence[str], choices: Sequence[str],
                         on_value: Callable[[tuple[str, ...]], None],
                         names: Mapping[str, str] | None = None, **kwargs):
    shown = _names(list(choices), names)
    ids = {text: choice for choice, text in shown.items()}
    solara.SelectMultiple(label, values=[shown.get(v, v) for v in values],
                          all_values=list(shown.values()),
                          on_value=lambda texts: on_value(tuple(ids.get(t, t) for t in texts)),
                          **kwargs)


def preset_titles(names: Sequence[str]) -> dict[str, str]:
    """A preset's title for its file name (the name itself if it has none or does not load)."""
    from simulation import load_scenario

    titles = {}
    for name in names:
        try:
            titles[name] = load_scenario(name).title or name
        except Exception:  # a broken preset keeps its file name; loading it says what is wrong
            titles[name] = name
    return titles
