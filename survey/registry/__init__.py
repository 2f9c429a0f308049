"""The member registry as other rooms read it: reusable query builders (target filters)."""
