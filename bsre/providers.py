"""`permits.signing.get_signer`'s BSrE provider (registered in `bsre.apps.BsreConfig.ready`).

A region with an enabled `RegionBsreConfig` signs with BSrE — `BsreSigner` (v2) or
`BsreHashSigner` (hash) — as the person signing, named by their `BsreSignerAccount`. Fails
closed: a configuration whose secrets are missing, or a signer without a BSrE identity, raises
`SigningUnavailable` (logged at ERROR on `ptsp.bsre`); it never falls back to the local key.
"""

import logging

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from permits.signing import SigningUnavailable, pades_level

logger = logging.getLogger("ptsp.bsre")


def region_config(region):
    """The region's enabled BSrE configuration, or None."""
    from bsre.models import RegionBsreConfig

    return RegionBsreConfig.objects.filter(region_id=region.pk, enabled=True).first()


def misconfigured() -> SigningUnavailable:
    return SigningUnavailable(
        _(
            "Signing with BSrE is turned on for this region but its configuration is not "
            "complete on the server. Nothing was issued; please tell the system operator."
        ),
        code="bsre_misconfigured",
    )


def no_identity() -> SigningUnavailable:
    return SigningUnavailable(
        _(
            "This region signs with BSrE, and your BSrE identity (NIK) is not recorded. "
            "Nothing was issued; ask the region's administrator to add it."
        ),
        code="bsre_no_identity",
    )


def bsre_signer_for(region, user):
    """The BSrE signer for `region` signing as `user`, None when the region does not use BSrE.
    `user` None (the footnote's issuer, a check without a person): a signer without identity,
    whose `check()` refuses."""
    from bsre.client import BsreClient
    from bsre.models import BsreSignerAccount, RegionBsreConfig
    from bsre.signers import BsreHashSigner, BsreSigner

    config = region_config(region)
    if config is None:
        return None
    try:
        client_config = config.client_config()
    except ImproperlyConfigured as exc:
        logger.error("bsre misconfigured: region=%s %s", region.code, exc)
        raise misconfigured() from None
    identity = None
    if user is not None:
        account = BsreSignerAccount.objects.filter(user_id=user.pk, region_id=region.pk).first()
        if account is None or not (account.nik or account.email):
            logger.error("bsre: no identity for signer user=%s region=%s", user.pk, region.code)
            raise no_identity()
        identity = account.identity()
    level = pades_level()
    cls = BsreHashSigner if config.mode == RegionBsreConfig.Mode.HASH else BsreSigner
    return cls(
        BsreClient(client_config),
        identity=identity,
        level=level,
        tsa_url=settings.TSA_URL or "",
        files_per_request=config.files_per_request,
        region_code=region.code,
    )
