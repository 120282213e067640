"""Workshop mode: a shared market steered by teams from their browsers (issue 12)."""
