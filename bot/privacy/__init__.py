"""Privacy: what may be stored about a conversation (redaction, metadata allow-list) and for how long (retention)."""
