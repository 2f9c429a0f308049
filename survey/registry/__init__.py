"""The member registry: importing the party's export, listing, duplicates, and the target filters
(filters.py) that the member list and call lists share."""
