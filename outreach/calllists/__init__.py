"""Call lists per association: phone banking from a phone, with the survey and the matched tasks inside
the call (docs/calllists.md)."""
