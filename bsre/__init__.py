"""BSrE (Balai Besar Sertifikasi Elektronik, BSSN): signing permits with the government CA's
certificates through a region's Esign Client Service. See `bsre.client` (the HTTP calls),
`bsre.signers` (the `permits.signing.Signer`s), `bsre.sealing` (the credential's way to the
worker) and `bsre.simulator` (a local CA posing as BSrE, for the tests and the demo)."""
