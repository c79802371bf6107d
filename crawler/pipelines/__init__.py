"""One pipeline per concern: validate -> clean -> dedup -> store (see crawler/settings.py)."""
