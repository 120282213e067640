"""The presets (``*.toml``) and the experiment examples (``experiments/*.toml``).

This folder is installed as the package data of ``simulation.presets`` (see pyproject.toml), so
that an installed socbiz finds its presets with ``importlib.resources``; it holds no code.
"""
