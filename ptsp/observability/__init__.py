"""Observability: log context (request id, user, task, tracking number), redaction of personal
data, Prometheus metrics and the single-scheduler lock. See docs/deploy.md ("Operating it")."""
