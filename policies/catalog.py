"""The `[catalog]` section: the event catalog the gateway learns from traffic (gateway.catalog).

    [catalog]
    enabled = true
    flush_interval_s = 10      # how often what was seen is written to the database (aggregated in memory meanwhile)
"""

from __future__ import annotations

from dataclasses import dataclass

from policies.table import Table


@dataclass(frozen=True)
class CatalogConfig:
    enabled: bool = True
    flush_interval_s: float = 10.0


def read_catalog(table: Table) -> CatalogConfig:
    d = CatalogConfig()
    config = CatalogConfig(enabled=table.boolean("enabled", d.enabled),
                           flush_interval_s=table.number("flush_interval_s", d.flush_interval_s, minimum=0.05))
    table.finish()
    return config
