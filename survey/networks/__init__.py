"""The networks (antiracist, union, climate, women's forum): who is on each list, for organizers to reach
them. Memberships come from the survey's network question (outreach/match/networks.py fills them)."""
