"""Matching as organizers use it: build the engine's problem, keep proposals, publish."""
