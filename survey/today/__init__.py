"""The staff start page after logging in: what is waiting this week, each with one link to act on it."""
