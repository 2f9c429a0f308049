"""Members' rights under the GDPR: data export, erasure, retention."""
