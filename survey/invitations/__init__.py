"""Inviting members to a survey by email, reminders, SMS lists and QR codes."""
