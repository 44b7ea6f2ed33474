"""Session replay: rrweb ingest, compressed storage, DOM mirror, frustration signals."""
