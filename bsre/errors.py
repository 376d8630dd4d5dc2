"""The refusals of a BSrE call, each a `DomainError` with a message for the signer.

Who raises: `bsre.client`. The message never carries what the provider said verbatim (it could
echo what was sent) nor the passphrase or code: a fixed, translated sentence, the provider's
numeric code in `details`. `retryable` says whether trying again later can help without the
signer changing anything; `outcome_unknown` that the request reached BSrE and the answer did
not come back, so the document may have been signed there (phase 2: no second signature, no
second number).
"""

from django.utils.translation import gettext_lazy as _

from ptsp.errors import DomainError


class BsreError(DomainError):
    retryable = False
    outcome_unknown = False
    default_message = _("The electronic signature service refused the request. Nothing was signed.")
    default_code = "bsre_error"

    def __init__(self, message=None, *, code=None, details=None, **kwargs):
        super().__init__(
            message or self.default_message,
            code=code or self.default_code,
            details=details,
            **kwargs,
        )

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}(code={self.code!r}, details={self.details!r})"


class BsreWrongCredential(BsreError):
    default_message = _(
        "The passphrase or the one-time code is wrong or has expired. Nothing was signed; "
        "please type it again."
    )
    default_code = "bsre_wrong_credential"


class BsreSignerNotRegistered(BsreError):
    default_message = _(
        "This signer is not registered with BSrE or has no electronic certificate yet. "
        "Nothing was signed; the signer must register (or renew) with BSrE first."
    )
    default_code = "bsre_not_registered"


class BsreCertificateExpired(BsreError):
    default_message = _(
        "The signer's BSrE certificate has expired. Nothing was signed; the signer must renew "
        "the certificate with BSrE."
    )
    default_code = "bsre_certificate_expired"


class BsreCertificateRevoked(BsreError):
    default_message = _(
        "The signer's BSrE certificate has been revoked. Nothing was signed; the signer must "
        "contact BSrE."
    )
    default_code = "bsre_certificate_revoked"


class BsreUnavailable(BsreError):
    retryable = True
    default_message = _(
        "The electronic signature service (BSrE) cannot be reached right now. Nothing was "
        "signed; please try again in a few minutes."
    )
    default_code = "bsre_unavailable"


class BsreTimeout(BsreUnavailable):
    outcome_unknown = True
    default_message = _(
        "The electronic signature service (BSrE) did not answer in time. The document may have "
        "been signed there but nothing was received; please try again in a few minutes."
    )
    default_code = "bsre_timeout"


class BsreMisconfigured(BsreError):
    default_message = _(
        "The portal's access to the electronic signature service is not set up or was refused. "
        "Nothing was signed; please tell the system operator."
    )
    default_code = "bsre_misconfigured"


class BsreBadAnswer(BsreError):
    default_message = _(
        "The electronic signature service gave an answer the portal cannot use. Nothing was "
        "issued; please try again later or tell the system operator."
    )
    default_code = "bsre_bad_answer"
