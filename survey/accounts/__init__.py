"""Accounts: staff logins, roles and associations, two-factor login."""
