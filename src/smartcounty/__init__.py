"""smartcounty: a county's smart-city platform (Guan County, Shandong, first)."""

__version__ = "0.1.0"
