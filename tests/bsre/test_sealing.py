"""The sealed credential token (bsre.sealing): opens once sealed for the same context within its
time to live; refuses an expired, changed, misdirected or foreign token; never logs a secret."""

import base64
import logging
import os
import pickle
import time

import pytest
import time_machine

from bsre.sealing import SealedCredentialExpired, SealedCredentialInvalid, seal, unseal
from permits.signing import SigningCredential

SECRET = "Rahasia-BSrE-7731!"
CONTEXT = "bsre-batch:42:user:7"


def test_round_trip_keeps_the_kind():
    for credential in (SigningCredential.passphrase(SECRET), SigningCredential.totp("123456")):
        token = seal(credential, context=CONTEXT)
        assert SECRET not in token and "123456" not in token
        opened = unseal(token, context=CONTEXT)
        assert (opened.kind, opened.reveal()) == (credential.kind, credential.reveal())


def test_an_expired_token_is_refused(settings):
    settings.BSRE_SEALED_TTL_SECONDS = 300
    token = seal(SigningCredential.passphrase(SECRET), context=CONTEXT)
    with time_machine.travel(time.time() + 299, tick=False):
        assert unseal(token, context=CONTEXT).reveal() == SECRET  # a redelivered task
    with time_machine.travel(time.time() + 301, tick=False), pytest.raises(SealedCredentialExpired):
        unseal(token, context=CONTEXT)


def test_a_token_from_the_future_is_refused():
    token = seal(SigningCredential.passphrase(SECRET), context=CONTEXT, now=time.time() + 3600)
    with pytest.raises(SealedCredentialExpired):
        unseal(token, context=CONTEXT)


def test_a_changed_token_is_refused():
    token = seal(SigningCredential.passphrase(SECRET), context=CONTEXT)
    raw = bytearray(base64.urlsafe_b64decode(token[3:]))
    for index in (0, 7, 10, len(raw) - 1):  # issued-at, nonce, tag
        changed = bytearray(raw)
        changed[index] ^= 0x01
        with pytest.raises(SealedCredentialInvalid):
            unseal("v1." + base64.urlsafe_b64encode(bytes(changed)).decode(), context=CONTEXT)
    for garbage in ("", "v1.", "v2." + token[3:], token[:-4], "v1.!!!!", None):
        with pytest.raises(SealedCredentialInvalid):
            unseal(garbage, context=CONTEXT)


def test_another_context_or_key_is_refused(settings):
    token = seal(SigningCredential.passphrase(SECRET), context=CONTEXT)
    with pytest.raises(SealedCredentialInvalid):
        unseal(token, context="bsre-batch:43:user:7")
    settings.SECRET_KEY = "another-deployment-" + "y" * 40
    with pytest.raises(SealedCredentialInvalid):
        unseal(token, context=CONTEXT)


def test_key_rotation(settings):
    old, new = (base64.b64encode(os.urandom(32)).decode() for _ in range(2))
    settings.BSRE_SEALING_KEY = old
    token = seal(SigningCredential.passphrase(SECRET), context=CONTEXT)
    settings.BSRE_SEALING_KEY = f"{new},{old}"
    assert unseal(token, context=CONTEXT).reveal() == SECRET
    settings.BSRE_SEALING_KEY = new
    with pytest.raises(SealedCredentialInvalid):
        unseal(token, context=CONTEXT)
    settings.BSRE_SEALING_KEY = "dGVzdA=="  # 4 bytes: refused, not padded
    with pytest.raises(ValueError):
        seal(SigningCredential.passphrase(SECRET), context=CONTEXT)


def test_never_logged_nor_in_an_error(caplog):
    with caplog.at_level(logging.DEBUG):
        token = seal(SigningCredential.passphrase(SECRET), context=CONTEXT)
        errors = []
        for attempt in (
            lambda: unseal(token, context="other"),
            lambda: unseal(token[:-2], context=CONTEXT),
        ):
            try:
                attempt()
            except SealedCredentialInvalid as exc:
                errors.append(exc)
        with time_machine.travel(time.time() + 3600, tick=False):
            try:
                unseal(token, context=CONTEXT)
            except SealedCredentialExpired as exc:
                errors.append(exc)
    assert len(errors) == 3
    texts = [r.getMessage() for r in caplog.records]
    texts += [f"{e!s} {e!r} {e.args} {e.details} {e.__cause__} {e.__context__}" for e in errors]
    assert texts and not [t for t in texts if SECRET in t or token in t]
    assert any("context=bsre-batch:42:user:7" in t for t in texts)


def test_only_a_credential_is_sealed_and_a_credential_is_never_pickled():
    with pytest.raises(TypeError):
        seal(SECRET, context=CONTEXT)
    with pytest.raises(TypeError):
        pickle.dumps(SigningCredential.totp("123456"))
    with pytest.raises(ValueError):
        SigningCredential.passphrase("")
