"""The HTTP gateway: vendor protocols, event pipeline, durable outbox and senders, admin API, CLI."""
