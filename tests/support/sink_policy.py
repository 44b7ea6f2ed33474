"""The smallest policy a gateway serves: one source (write key `wk`, opt-out) sending to the local sink. Tests append
the section they are about (`SINK_POLICY + "[http]\\n..."`)."""

SINK_POLICY = """
[[sources]]
name = "web"
write_keys = ["wk"]
consent_model = "opt-out"
destinations = ["sink"]

[[destinations]]
name = "sink"
protocol = "sink"
"""
