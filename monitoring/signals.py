"""Keep the working-day ordinals in step with the regions' own holidays."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from agencies.models import RegionHoliday


@receiver([post_save, post_delete], sender=RegionHoliday)
def _holiday_changed(sender, instance, **kwargs):
    from monitoring.calendar import working_days_sync
    from monitoring.models import WorkingDay

    region = instance.region

    if WorkingDay.objects.filter(region_id=instance.region_id).exists():
        working_days_sync(region=region)
