"""Solara components of the socbiz dashboard, one module per view."""
