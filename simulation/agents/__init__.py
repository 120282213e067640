"""The organisation side: brands, their departments, and agencies (all Mesa agents)."""

from .agencies import Agency
from .brands import Brand
from .departments import Department

__all__ = ["Agency", "Brand", "Department"]
