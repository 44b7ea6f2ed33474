"""The HTTP gateway: vendor protocols, event pipeline, durable outbox and senders, admin API, CLI."""

from policies.compiled import guard

guard()  # before any compiled module of the package can load (policies.compiled)
