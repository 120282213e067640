"""A straightforward per-agent Mesa implementation of the customer rules, for docking.

``PerAgentMarket`` has the interface of :class:`simulation.customers.Market`; run the full model
with it through ``SocialBusinessModel(..., market_factory=PerAgentMarket)``.
"""

from .complaints import Complaint, PerAgentComplaints
from .customer import BrandsToday, Customer
from .market import PerAgentMarket, Population

__all__ = ["BrandsToday", "Complaint", "Customer", "PerAgentComplaints", "PerAgentMarket",
           "Population"]
