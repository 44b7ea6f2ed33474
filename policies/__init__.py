"""The governance engine: policy file, canonical event, and (pure, no HTTP, no database) the rules applied to events."""
