"""Writes for permits: `issuance` (numbering, rendering, signing, revocation, expiry)."""
