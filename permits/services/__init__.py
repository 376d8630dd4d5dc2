"""Writes for permits: `catalog` (permit types and their published versions) and `issuance`
(numbering, rendering, signing, revocation, expiry)."""
