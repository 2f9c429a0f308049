"""Outreach's blueprints: campaign tasks, matching, and the member's task responses."""
