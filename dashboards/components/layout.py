"""Layouts of the page: the compact layout of small screens, and the projector mode.

Rules:

- **Compact** (automatic, CSS media queries): on a screen 900 px high or less (a 1366×768
  laptop) paddings shrink, the trainer's cue and the brand cards use smaller type and the first
  chart is shorter, so that Play, the day, the brand cards and one chart are on screen without
  scrolling (tests/test_dashboard_browser.py checks the bounding boxes at 1366×768).
- **Projector** (the toggle in the app bar, per tab): large type; the sidebar is folded away
  (Space plays and pauses, → steps: the keyboard shortcuts); the brand cards with their phase
  badges, then the figures that tell the preset's story (the registry's ``story`` flag) side by
  side, sized to fill a 1920×1080 screen above the fold; the other charts, the intervention form
  and the event log follow below.
- ``PROJECTOR`` is a ``solara.reactive``: Solara keeps one value per browser tab (virtual
  kernel), so one tab on the projector does not change the trainer's other tabs.
"""

from __future__ import annotations

import solara

from simulation.i18n import _

from .. import registry

PROJECTOR = solara.reactive(False)
PROJECTOR_FONT = 16  # chart text in projector mode (12 otherwise)


def projector_chart_height() -> int:
    """Height of a story figure in projector mode: what 1080 px leave under the app bar,
    the tabs, the cue and the large brand cards (measured in Chromium, see the module
    docstring)."""
    return 500


def story_figures() -> list[registry.Figure]:
    return [f for f in registry.live_figures() if f.story]


COMPACT_CSS = """
@media (max-height: 900px) {
  .solara-content-main .v-content__wrap > div { padding-top: 4px !important; }
  .socbiz-cue { font-size: 13px; padding: 4px 8px; margin-bottom: 4px; line-height: 1.35; }
  .socbiz-kpi { font-size: 12px; line-height: 1.35; padding: 4px 8px; }
  .socbiz-kpi .brand { font-size: 13px; }
  .socbiz-day { font-size: 20px; }
  .v-tabs .v-tab { height: 40px; }
}
"""

PROJECTOR_CSS = """
.v-navigation-drawer { display: none !important; }
.v-main, .v-content { padding-left: 0 !important; }
.socbiz-cue { font-size: 20px; line-height: 1.4; }
.socbiz-kpi { font-size: 18px; line-height: 1.4; padding: 8px 14px; }
.socbiz-kpi .brand { font-size: 22px; }
.socbiz-kpi .phase { font-size: 17px; padding: 1px 10px; }
.socbiz-day { font-size: 28px; }
.socbiz-projector-day { font-size: 22px; font-weight: 600; margin: 0 8px; }
.v-tab { font-size: 16px !important; }
.socbiz-story { display: flex; gap: 12px; align-items: flex-start; }
.socbiz-story > * { flex: 1 1 0; min-width: 0; }
"""


@solara.component
def LayoutStyle():
    """The compact layout always (it only acts on small screens), the projector's when on."""
    solara.Style(COMPACT_CSS)
    if PROJECTOR.value:
        solara.Style(PROJECTOR_CSS)


@solara.component
def ProjectorToggle():
    on = PROJECTOR.value
    solara.Button(_("Normal view") if on else _("Projector"),
                  icon_name="mdi-monitor" if on else "mdi-projector-screen", text=True,
                  on_click=lambda: PROJECTOR.set(not on), classes=["socbiz-projector-toggle"])
