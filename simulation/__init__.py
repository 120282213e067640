"""socbiz: an agent-based simulator of brands going from experimentation to social marketing to
social business on social media.

    >>> from simulation import load_scenario, SocialBusinessModel, run_scenario
    >>> model = SocialBusinessModel("baseline", rng=1)
    >>> model.run(days=30)
"""

from importlib.metadata import PackageNotFoundError, version

from .config import ScenarioConfig
from .events import EventLog
from .model import SocialBusinessModel
from .runner import RunResult, run_scenario, write_outputs
from .scenario import ScenarioError, list_scenarios, load_scenario

try:
    __version__ = version("socbiz")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+unknown"

__all__ = [
    "EventLog",
    "RunResult",
    "ScenarioConfig",
    "ScenarioError",
    "SocialBusinessModel",
    "__version__",
    "list_scenarios",
    "load_scenario",
    "run_scenario",
    "write_outputs",
]
