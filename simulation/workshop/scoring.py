"""The scorecard: teams ranked on the indicators the workshop file weights.

Rule: for each indicator, the teams' values in the same market run are mapped to 0-1 (0 = the
worst team, 1 = the best; everyone 0.5 when all are equal); cost and crises count the other way
(less is better). A team's score is the weighted mean of these, times 100. Because every team
plays in the same run with the same random numbers, a score difference comes from decisions.
"""

from __future__ import annotations

from .config import Scorecard

LOWER_IS_BETTER = ("cost", "crises")


def score_round(summary: dict[str, dict[str, float]], brands: tuple[str, ...],
                scorecard: Scorecard) -> list[dict[str, float | str | int]]:
    """The leaderboard: one row per brand (rank, score, each indicator's 0-1 part)."""
    weights = scorecard.weights()
    total_weight = sum(weights.values()) or 1.0
    parts: dict[str, dict[str, float]] = {b: {} for b in brands}
    for key in weights:
        values = [summary[b][key] for b in brands]
        lo, hi = min(values), max(values)
        for b in brands:
            value = summary[b][key]
            part = 0.5 if hi - lo <= 1e-12 * max(1.0, abs(hi)) else (value - lo) / (hi - lo)
            parts[b][key] = 1 - part if key in LOWER_IS_BETTER else part
    rows = []
    for b in brands:
        score = 100 * sum(weights[k] * parts[b][k] for k in weights) / total_weight
        rows.append({"brand": b, "score": round(score, 2),
                     **{f"part_{k}": round(v, 4) for k, v in parts[b].items()}})
    rows.sort(key=lambda row: (-row["score"], brands.index(row["brand"])))
    for rank, row in enumerate(rows, 1):
        row["rank"] = rank
    return rows
