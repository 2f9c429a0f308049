"""The shared core every room uses: access control, security headers and sessions, logs, mail, audit."""
