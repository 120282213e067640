"""Keyboard shortcuts: Space plays or pauses, → steps one day, ← looks back one day (shown
under the run controls).

A hidden component listens to the page's keys in the browser and calls :meth:`Keys.vue_pressed`;
keys typed into a field, a select or a button are left to them.
"""

from __future__ import annotations

import ipyvuetify

from simulation.i18n import _l

SHORTCUTS = ((_l("Space"), _l("play / pause")), ("→", _l("one day forward")),
             ("←", _l("one day back (look back)")))


class Keys(ipyvuetify.VuetifyTemplate):
    template_file = (__file__, "keys.vue")
    actions: dict = {}
    on_screen_day = None  # called with the day the charts show, just before Play/Pause

    def vue_screen_day(self, day=None):
        if self.on_screen_day is not None and isinstance(day, int) and day >= 0:
            self.on_screen_day(day)

    def vue_pressed(self, key=None):
        action = self.actions.get(key)
        if action is not None:
            action()
