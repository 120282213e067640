"""The socbiz dashboard, as served by Solara: ``socbiz dashboard [SCENARIO]``.

This file stays thin: the page and its components live in :mod:`dashboards.components`, the
per-tab simulation in :mod:`dashboards.state`. Solara runs this file as a script, so the
repository root is put on ``sys.path`` first (the ``dashboards`` folder is not an installed
package).
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from dashboards.components.page import Page  # noqa: E402

__all__ = ["Page"]
