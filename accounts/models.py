from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.validators import validate_nik, validate_phone
from ptsp.statements import RowByPk


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra):
        if not email:
            raise ValueError("An e-mail address is required.")
        email = self.normalize_email(email).lower()
        user = self.model(email=email, **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def get(self, *args, **kwargs):
        """`get(pk=<int>)` on the default database, the read of the person's row on every
        logged-in request (Django's `ModelBackend.get_user`), through a statement compiled once
        per thread (ptsp.statements, issue 20); every other `get` is the ORM's."""
        pk = kwargs.get("pk")
        if (
            args
            or len(kwargs) != 1
            or type(pk) is not int
            or self.model is not User  # a migration's historical model reads through the ORM
            or self._db not in (None, "default")
        ):
            return super().get(*args, **kwargs)
        return _user_rows.get(pk)

    def get_by_natural_key(self, username):
        # E-mail addresses are stored lower-case; log-in ignores the case the user typed.
        return self.get(email__iexact=(username or "").strip())

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """Everyone who logs in: applicants and the staff of DPMPTSP and the OPDs.

    Applicants register themselves and have an ApplicantProfile; staff accounts are made by an
    admin and get their roles from agencies.Membership. `nip` and `position` are printed on the
    signature block of the permits a signer signs.
    """

    email = models.EmailField(_("e-mail address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150)
    language = models.CharField(
        _("preferred language"),
        max_length=5,
        default="id",
        choices=[("id", "Indonesia"), ("en", "English")],
    )
    nip = models.CharField(
        _("NIP"), max_length=18, blank=True, help_text=_("Civil servant ID (staff).")
    )
    position = models.CharField(_("position"), max_length=150, blank=True)
    is_staff = models.BooleanField(
        _("admin site access"), default=False, help_text=_("May log in to the admin site.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    # Set when the person opened the link sent to their address; an applicant's first
    # submission waits for it (issue 21 item 9). Accounts older than the rule count as
    # confirmed (migration 0002).
    email_confirmed_at = models.DateTimeField(_("e-mail confirmed at"), null=True, blank=True)
    # Issue 20, kept by the database itself (triggers, migrations accounts 0004, agencies 0011,
    # security 0004, applications 0010), so that no code path can forget them:
    # - access_version goes up whenever one of the person's memberships, their agencies or
    #   those agencies' regions, or their authenticator app changes. The per-process cache of
    #   roles and second-factor flag (security.identity) is keyed by it: a revoked role misses
    #   the cache on the next request. It never goes down (a save of a row read earlier keeps
    #   the newer value).
    # - unread_notifications is the count of the person's unread notifications, for the page
    #   header; only the notification table's trigger changes it.
    # (db_default too: rows written by code that does not know the columns, such as an older
    # migration's model, start at 0.)
    access_version = models.BigIntegerField(
        _("access version"), default=0, db_default=0, editable=False
    )
    unread_notifications = models.PositiveIntegerField(
        _("unread notifications"), default=0, db_default=0, editable=False
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return f"{self.full_name} <{self.email}>"

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email

    def save(self, *args, **kwargs):
        self.email = self.email.strip().lower()
        super().save(*args, **kwargs)


# The person's row by its primary key (UserManager.get), compiled once per thread.
_user_rows = RowByPk(User)


class ApplicantProfile(models.Model):
    """A pemohon (applicant): the citizen or business owner who files applications."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="applicant_profile")
    nik = models.CharField(_("NIK"), max_length=16, unique=True, validators=[validate_nik])
    phone = models.CharField(_("mobile phone"), max_length=16, validators=[validate_phone])
    created_at = models.DateTimeField(auto_now_add=True)
    welcome_sent_at = models.DateTimeField(null=True, blank=True)
    # When a delivery of the welcome mail took it on (ptsp.mail.send_once: exactly once).
    welcome_claimed_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("applicant profile")
        verbose_name_plural = _("applicant profiles")

    def __str__(self) -> str:
        return f"{self.user.full_name} ({self.masked_nik})"

    @property
    def masked_nik(self) -> str:
        return mask_nik(self.nik)


def mask_nik(nik: str) -> str:
    """Show a NIK in lists and logs as 6 + 4 digits: the region part and the last four."""
    if not nik or len(nik) < 10:
        return "*" * len(nik or "")
    return f"{nik[:6]}******{nik[-4:]}"
