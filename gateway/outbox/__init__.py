"""The durable outbox: the queue between an acknowledged request and its delivery to every destination."""

from gateway.outbox.sender import Sender
from gateway.outbox.store import MIGRATIONS, Delivery, OutboxFull, OutboxStore, Queued

__all__ = ["MIGRATIONS", "Delivery", "OutboxFull", "OutboxStore", "Queued", "Sender"]
