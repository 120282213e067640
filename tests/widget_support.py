"""Finding and driving widgets in a page rendered with ``solara.render`` (dashboard tests)."""

from __future__ import annotations

import time

import ipyvuetify as v
import ipywidgets


def walk(rc):
    """Every widget on the page (``rc.find(cls)`` stops at the first match of a branch)."""
    stack = list(rc.find().widgets)
    while stack:
        widget = stack.pop()
        yield widget
        # SolaraViz's tiles are a GridLayout's ``items``, not its children
        for child in [*(getattr(widget, "children", None) or []),
                      *(getattr(widget, "items", None) or [])]:
            if isinstance(child, ipywidgets.Widget):
                stack.append(child)


def button(rc, label: str):
    for widget in walk(rc):
        if isinstance(widget, v.Btn) and label in [c for c in widget.children
                                                   if isinstance(c, str)]:
            return widget
    raise LookupError(f"no button {label!r}")


def commit(widget, text: str) -> None:
    """Type a value in a text field and press Enter, as a user does."""
    widget.v_model = text
    if any(k.startswith("keyup.enter") for k in widget._event_handlers_map):
        widget.fire_event("keyup.enter", None)


def images(rc) -> list[bytes]:
    return [bytes(w.value) for w in walk(rc) if isinstance(w, ipywidgets.Image)]


def wait_for(condition, timeout: float = 20.0) -> None:
    deadline = time.time() + timeout
    while not condition():
        if time.time() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.05)


def live_charts(rc) -> list:
    """The browser charts (dashboards.livechart.LiveChart) on the page."""
    from dashboards.livechart import LiveChart

    return [w for w in walk(rc) if isinstance(w, LiveChart)]


def record_messages(widget) -> list[dict]:
    """Keep every custom message a widget sends to the browser (it is still sent)."""
    sent: list[dict] = []
    original = widget.send

    def send(content, buffers=None):
        sent.append(content)
        return original(content, buffers)

    widget.send = send
    return sent
