"""The OSS integration's writes, one module per part (docs/oss.md)."""
