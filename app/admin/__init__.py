"""Administration: people, organisations, the audit log and the outbox."""
