"""The workshop screens (Solara): participants, facilitator console, projector."""
