"""A development timestamp authority's signer: pyHanko's DummyTimeStamper with its key loaded once.

DummyTimeStamper (RSA only) parses its private key again for every token, and OpenSSL's check of
an RSA key on loading costs 40–75 ms on these machines — most of a token, and a B-LT signature
asks for three (a probe for the TSA's certificate, the signature timestamp, the document
timestamp). The local TSA of the tests and benchmarks (tests/signing_fixtures.py `LocalTsa`)
and the BSrE simulator's TSA use this one, so that their timings are the portal's, not the
stand-in's. It overrides DummyTimeStamper's `_sign_tst_info` (pyHanko 0.38), keeping its
attributes and algorithm.
"""

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from pyhanko.sign.general import get_pyca_cryptography_hash, simple_cms_attribute
from pyhanko.sign.timestamps import DummyTimeStamper


class LoadedKeyTimeStamper(DummyTimeStamper):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._private_key = serialization.load_der_private_key(self.tsa_key.dump(), password=None)
        if not isinstance(self._private_key, RSAPrivateKey):
            raise NotImplementedError("the development TSA signs with RSA")

    def _sign_tst_info(self, tst_info_data: bytes, md_algorithm: str, dt):
        from asn1crypto import cms, core
        from pyhanko.sign import general

        digest = hashes.Hash(get_pyca_cryptography_hash(md_algorithm))
        digest.update(tst_info_data)
        signed_attrs = cms.CMSAttributes(
            [
                simple_cms_attribute("content_type", "tst_info"),
                simple_cms_attribute("signing_time", cms.Time({"utc_time": core.UTCTime(dt)})),
                simple_cms_attribute(
                    "signing_certificate", general.as_signing_certificate(self.tsa_cert)
                ),
                simple_cms_attribute("message_digest", digest.finalize()),
            ]
        )
        signature = self._private_key.sign(
            signed_attrs.dump(), PKCS1v15(), get_pyca_cryptography_hash(md_algorithm.upper())
        )
        return signature, signed_attrs
