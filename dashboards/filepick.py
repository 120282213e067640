"""Open a scenario file from the user's computer: drop it, or pick it with the file picker.

Rules:
- The widget is Solara's FileDrop zone (files are read in chunks, only when Python asks) with a
  button that opens the browser's file picker; both give the same file list.
- The size is checked before a byte is read, and reading stops at the limit whatever size the
  browser announced, so a huge file costs the server nothing (``MAX_UPLOAD_BYTES``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import solara
import traitlets
from solara.components.file_drop import FileDropZone

from simulation.i18n import _

from .state import MAX_UPLOAD_BYTES, too_large


class ScenarioFileZone(FileDropZone):
    template_file = (__file__, "filepick.vue")
    pick_label = traitlets.Unicode().tag(sync=True)


def read_upload(info: dict, limit: int = MAX_UPLOAD_BYTES) -> bytes:
    """The file's bytes, refused (ValueError, one line) above ``limit`` without reading it."""
    name = str(info.get("name") or "file")
    if int(info.get("size") or 0) > limit:
        raise ValueError(too_large(name, int(info["size"])))
    data = info["file_obj"].read(limit + 1)
    if len(data) > limit:
        raise ValueError(too_large(name, len(data)))
    return data


@solara.component
def ScenarioFile(on_file: Callable[[dict], None], label: str, pick_label: str):
    """Drop a file or pick one; ``on_file`` gets Solara's file info (read it with
    :func:`read_upload`)."""
    file_info, set_file_info = solara.use_state(None)
    wired, set_wired = solara.use_state(None)
    zone = ScenarioFileZone.element(label=label, pick_label=pick_label, multiple=False,
                                    on_file_info=set_file_info)

    def wire():
        if not file_info:
            return
        real = solara.get_widget(zone)
        real.version += 1  # as Solara's FileDrop: a new file is a new version
        real.reset_stats()
        set_wired(real.get_files())

    solara.use_effect(wire, [file_info])

    def handle(_cancel: threading.Event):
        if wired:
            on_file(wired[0])

    solara.use_thread(handle, [wired])
    return zone


__all__ = ["MAX_UPLOAD_BYTES", "ScenarioFile", "read_upload", "_"]
