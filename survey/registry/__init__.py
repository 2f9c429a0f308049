"""The member registry: importing the party's export, listing, duplicates."""
