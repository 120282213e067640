"""What the organisation side hands the market each day, and what it gets back.

The two sides of the model meet here and nowhere else: a brand's departments and agencies
produce a :class:`DailyOutput` (posts by content type, answering capacity, listening, social
CRM, recruitment, preparedness), the customers react, and the market returns a
:class:`MarketDay` per brand (followers, engagement, complaints, crises, sales) that the
departments see the next day as their "visible results".
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class DailyOutput:
    """A brand's social-media output for one day."""

    posts_by_type: np.ndarray  # posts per content type (CONTENT_TYPES order), own + agencies
    push_share: float  # share of today's posts that are push (interruptive, promotional)
    agency_posts: float  # of which posted by agencies
    recruitment_p: float  # daily follow chance for non-followers from ads and campaigns
    answer_capacity: float  # complaints or questions customer service can answer today
    listening_coverage: float  # chance that a public complaint is detected (per day)
    conversion: float  # chance that an engagement becomes a sale (social CRM)
    incident_rate: float  # daily chance that a customer meets a problem
    preparedness: float  # crisis preparedness, 0-1

    @property
    def posts(self) -> float:
        return float(self.posts_by_type.sum())


@dataclass
class MarketDay:
    """One brand's market results for one day."""

    followers: int = 0
    new_follows: int = 0
    unfollows: int = 0
    organic_reach: float = 0.0  # share of followers who see a given post
    impressions: float = 0.0  # expected post views by followers
    engagements: int = 0
    engagement_per_post: float = 0.0
    weekly_engaged_share: float = 0.0  # share of followers who engaged in the last 7 days
    viral_views: int = 0  # views of shared posts by non-followers
    mean_fatigue: float = 0.0  # among followers
    net_sentiment: float = 0.0  # share positive minus share negative, among people who know
    customers: int = 0
    sales: int = 0
    social_sales: int = 0  # sales from social CRM conversions
    incidents: int = 0
    complaints_new: int = 0
    complaints_open: int = 0  # posted, not answered, still spreading or waiting
    complaints_answered: int = 0
    median_response_days: float = float("nan")  # of complaints answered today
    questions_new: int = 0
    backlog: int = 0  # complaints and questions waiting for customer service (simulated)
    answers: int = 0  # complaints and questions answered today
    negative_exposures: int = 0  # people who saw a complaint about the brand today
    crisis_level: int = 0  # 0 none, 1-3 Altimeter levels (current)
    crisis_started: bool = False
    crisis_escalation: int = 0  # levels gained today
    crisis_ended: bool = False
    crisis_response: str = ""  # "", "good" or "backfire" when the brand responds today
    notes: list[str] = field(default_factory=list)  # sentences for the event log
