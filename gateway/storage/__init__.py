"""Where the gateway keeps its state: the SQLite file in the data directory (the embedded default) or a PostgreSQL
database (`[storage] database_url`, `serve --database-url`), behind one interface.

- gateway.database: the group-committing writer and the readers, the same for both (`write(fn)` runs `fn(conn)`);
- connection: what a write or read function may call on `conn` (`execute`, `executemany`), the same on both;
- engine: what differs between them (connecting, the opening statement of a write transaction, which errors blame the
  storage) and `StorageUnavailable`;
- sqlite, postgres: the two engines;
- placeholders: `?` in the SQL the stores write, as psycopg wants it (the only rewriting: the SQL itself is written
  to run on both, `INSERT ... ON CONFLICT`, `RETURNING`, `CAST(? AS ...)` where a parameter's type must be said);
- migrations: versioned schema steps, with the PostgreSQL statements of each part that has moved.
"""
