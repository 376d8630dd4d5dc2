"""OSS-RBA, the national licensing hub: the integration's one home (docs/oss.md, ADR 8).

No other module of the portal knows OSS's JSON. Phase 1 (this package today) holds the parts that
do not depend on our domain models:

- `oss.protocol` — the guide's message shapes as validated schemas, the typed messages we send
  and receive, and the parsed answers;
- `oss.token` — the `Token` header OSS puts on its pushes to us;
- `oss.codes` — the guide's code tables (`kd_status` and friends), unknown codes included;
- `oss.client` — the HTTP client for the methods OSS hosts, with a typed result;
- `oss.simulator` — a real HTTP server that speaks OSS's shape and fails on command.

Those modules are plain Python (no Django import), so the simulator runs on its own
(`python -m oss.simulator serve`). Phase 2 adds the Django side: `oss.models` (each region's
connection, and what OSS sent and was sent), the inbound views and the deliveries.
"""
