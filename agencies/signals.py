"""Reference data cached per process (ptsp.workdays.reference_cache): cleared here, in the
process that changes it, the moment a holiday or an agency is saved or deleted. The region's
working-day ordinals (WorkingDay) follow its holidays."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from agencies.calendar import working_days_sync
from agencies.models import Agency, Region, RegionHoliday, WorkingDay
from ptsp.localcache import on_commit_once
from ptsp.workdays import reference_cache


@receiver([post_save, post_delete], sender=RegionHoliday)
@receiver([post_save, post_delete], sender=Agency)
@receiver([post_save, post_delete], sender=Region)
def _reference_data_changed(sender, **kwargs):
    reference_cache.clear()
    # …and again after the commit, in case this process read the old rows in between.
    on_commit_once(reference_cache.clear)


@receiver([post_save, post_delete], sender=RegionHoliday)
def _holiday_changed(sender, instance, **kwargs):
    """Keep the working-day ordinals in step with the region's own holidays (once it has any)."""
    if WorkingDay.objects.filter(region_id=instance.region_id).exists():
        working_days_sync(region=instance.region)
