"""A token never outlives the credentials or the powers it was made under: a changed password
(reset, change, or set by an admin) or a changed role revokes every token of the person."""

from django.contrib.auth import get_user_model
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from agencies.models import Membership
from api.models import ApiToken
from api.services import api_tokens_revoke_all

User = get_user_model()


@receiver(pre_save, sender=User, dispatch_uid="api-tokens-password-watch")
def _remember_password(sender, instance, raw=False, **kwargs):
    if raw or instance.pk is None:
        return
    old = User.objects.filter(pk=instance.pk).values_list("password", flat=True).first()
    instance._ptsp_password_changed = old is not None and old != instance.password


@receiver(post_save, sender=User, dispatch_uid="api-tokens-password-revoke")
def _password_changed(sender, instance, created, raw=False, **kwargs):
    if not raw and not created and getattr(instance, "_ptsp_password_changed", False):
        instance._ptsp_password_changed = False
        api_tokens_revoke_all(user_id=instance.pk, reason=ApiToken.RevokeReason.PASSWORD)


@receiver(pre_save, sender=Membership, dispatch_uid="api-tokens-role-watch")
def _remember_role(sender, instance, raw=False, **kwargs):
    if raw or instance.pk is None:
        instance._ptsp_role_changed = True
        return
    old = Membership.objects.filter(pk=instance.pk).values("role", "agency_id", "is_active").first()
    instance._ptsp_role_changed = old != {
        "role": instance.role,
        "agency_id": instance.agency_id,
        "is_active": instance.is_active,
    }


@receiver(post_save, sender=Membership, dispatch_uid="api-tokens-role-revoke")
def _role_changed(sender, instance, raw=False, **kwargs):
    if not raw and getattr(instance, "_ptsp_role_changed", False):
        api_tokens_revoke_all(user_id=instance.user_id, reason=ApiToken.RevokeReason.ROLES)


@receiver(post_delete, sender=Membership, dispatch_uid="api-tokens-role-removed")
def _role_removed(sender, instance, **kwargs):
    api_tokens_revoke_all(user_id=instance.user_id, reason=ApiToken.RevokeReason.ROLES)
