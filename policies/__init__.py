"""The governance engine: policy file, canonical event, and (pure, no HTTP, no database) the rules applied to events."""

from policies.compiled import guard

guard()  # before any compiled module of the package can load (policies.compiled)
