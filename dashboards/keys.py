"""Keyboard shortcuts: Space plays or pauses, → steps one day (shown under the run controls).

A hidden component listens to the page's keys in the browser and calls :meth:`Keys.vue_pressed`;
keys typed into a field, a select or a button are left to them.
"""

from __future__ import annotations

import ipyvuetify

SHORTCUTS = (("Space", "play / pause"), ("→", "one day"))


class Keys(ipyvuetify.VuetifyTemplate):
    template_file = (__file__, "keys.vue")
    actions: dict = {}

    def vue_pressed(self, key=None):
        action = self.actions.get(key)
        if action is not None:
            action()
