"""The vendor protocols the gateway speaks, by the name a policy file uses for them."""

from __future__ import annotations

from gateway import vendor_deletion
from gateway.protocols import amplitude, mixpanel, posthog, segment
from gateway.protocols.codec import Codec
from policies.loader import LOCAL_SINK
from policies.policy import Policy
from policies.table import PolicyError

PROTOCOLS: dict[str, Codec] = {
    codec.name: codec for codec in (segment.CODEC, amplitude.CODEC, mixpanel.CODEC, posthog.CODEC)
}

# What a destination's `protocol` may say: a vendor protocol, or the local sink (see gateway.sink).
DESTINATION_PROTOCOLS = (*PROTOCOLS, LOCAL_SINK)


def check_credentials(policy: Policy) -> None:
    """Each enabled destination carries the credentials its protocol needs, and its deletion settings are numbers
    where they must be; raises PolicyError naming the key."""
    vendor_deletion.check(policy)
    for i, destination in enumerate(policy.destinations):
        codec = PROTOCOLS.get(destination.protocol)
        if codec is None or not destination.enabled:
            continue
        for key in codec.credentials:
            if not destination.credentials.get(key):
                raise PolicyError(
                    policy.path,
                    f"destinations[{i}].credentials.{key}",
                    f"missing: a {codec.name} destination needs it",
                )
