"""newsrag: grounded conversational search over news articles, with exact citations."""

__version__ = "0.1.0"
