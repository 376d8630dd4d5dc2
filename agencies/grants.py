"""Four eyes for powers: giving someone the signer or monitor role takes two people.

A region's admin (or a platform admin) asks (`power_grant_request`); a second person approves
or refuses (`power_grant_decide`): a platform admin or another active monitor of the region,
never the one who asked and never the one who would get the role. Until then the person has no
such role. Both steps are written to the append-only PowerGrantLog. The admin's membership and
user pages call these services instead of saving a power role directly (agencies/admin.py).
"""

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.models import (
    POWER_ROLES,
    Agency,
    Membership,
    PowerGrant,
    PowerGrantLog,
    Role,
)
from agencies.selectors import regions_visible_to
from ptsp.errors import Conflict, DomainError, NotAllowed


def _is_region_monitor(user, region_id: int) -> bool:
    return Membership.objects.filter(
        user=user,
        role=Role.MONITOR,
        is_active=True,
        agency__is_active=True,
        agency__region_id=region_id,
    ).exists()


def _may_administer(actor, region_id: int) -> bool:
    return bool(actor.is_superuser or _is_region_monitor(actor, region_id))


def _log(grant: PowerGrant, action: str, actor, note: str = "") -> None:
    PowerGrantLog.objects.create(
        grant=grant,
        action=action,
        actor=actor,
        user_id=grant.user_id,
        agency_id=grant.agency_id,
        role=grant.role,
        note=note,
    )


def power_grant_request(*, actor, user, agency: Agency, role: str, note: str = "") -> PowerGrant:
    """Ask for `user` to get `role` (signer or monitor) at `agency`.

    Who may call: a platform admin, or a monitor of the agency's region. Changes: one pending
    PowerGrant and its "requested" log row; the person gets no role yet. Raises NotAllowed for
    anyone else, DomainError for a role that is not a power, an agency that is not a DPMPTSP,
    a person who is staff of another region; Conflict when the same request is pending or the
    person already holds the role."""
    if role not in POWER_ROLES:
        raise DomainError(_("Only the signer and monitor roles need a second person."))
    if not _may_administer(actor, agency.region_id):
        raise NotAllowed(_("You may not give roles in this region."))
    if agency.kind != Agency.Kind.DPMPTSP:
        raise DomainError(
            _("At the DPMPTSP the role must be verifier, signer or monitor."), field="agency"
        )
    if Membership.objects.filter(user=user).exclude(agency__region_id=agency.region_id).exists():
        raise DomainError(
            _("This person is staff of another region and cannot get a role here."),
            field="user",
        )
    with transaction.atomic():
        if Membership.objects.filter(user=user, agency=agency, role=role, is_active=True).exists():
            raise Conflict(_("This person already has this role."))
        if PowerGrant.objects.filter(
            user=user, agency=agency, role=role, status=PowerGrant.Status.PENDING
        ).exists():
            raise Conflict(_("This role is already waiting for a second person's approval."))
        grant = PowerGrant.objects.create(
            user=user, agency=agency, role=role, requested_by=actor, note=note
        )
        _log(grant, PowerGrantLog.Action.REQUESTED, actor, note)
    return grant


def power_grant_decide(*, actor, grant_id: int, approve: bool, note: str = "") -> PowerGrant:
    """Approve (the person gets the role at once) or refuse a pending power grant.

    Who may call: a platform admin or an active monitor of the grant's region, who is neither
    the one who asked nor the person who would get the role. Changes: the grant's status and
    decider, one log row; on approval the Membership is made or made active (which also revokes
    the person's API tokens: api.signals). Raises NotAllowed (wrong person, own request, own
    role), Conflict (already decided)."""
    with transaction.atomic():
        grant = (
            PowerGrant.objects.select_for_update().select_related("agency", "user").get(pk=grant_id)
        )
        if not _may_administer(actor, grant.agency.region_id):
            raise NotAllowed(_("You may not decide on roles in this region."))
        if actor.pk == grant.requested_by_id:
            raise NotAllowed(
                _("You asked for this role yourself: a second person must approve it.")
            )
        if actor.pk == grant.user_id:
            raise NotAllowed(_("Nobody may approve a role for themselves."))
        if grant.status != PowerGrant.Status.PENDING:
            raise Conflict(_("This request has already been decided."))
        grant.status = PowerGrant.Status.APPROVED if approve else PowerGrant.Status.REFUSED
        grant.decided_by = actor
        grant.decided_at = timezone.now()
        grant.save(update_fields=["status", "decided_by", "decided_at"])
        _log(
            grant,
            PowerGrantLog.Action.APPROVED if approve else PowerGrantLog.Action.REFUSED,
            actor,
            note,
        )
        if approve:
            membership, _created = Membership.objects.get_or_create(
                user=grant.user,
                agency=grant.agency,
                role=grant.role,
                defaults={"is_active": True},
            )
            if not membership.is_active:
                membership.is_active = True
                membership.save(update_fields=["is_active"])
    return grant


def power_grants_visible_to(user) -> QuerySet[PowerGrant]:
    """The grants of the regions a person administers (all for a platform admin)."""
    return PowerGrant.objects.filter(agency__region__in=regions_visible_to(user)).select_related(
        "user", "agency", "agency__region", "requested_by", "decided_by"
    )
