"""Session replay: rrweb ingest, compressed storage, DOM mirror, frustration signals."""

from policies.compiled import guard

guard()  # before any compiled module of the package can load (policies.compiled)
