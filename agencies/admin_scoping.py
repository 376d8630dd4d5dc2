"""Region scoping for the admin: a region's admins see and change only their own region's rows.

Platform admins (superusers) see every region. The region of a row is found through
`region_lookup` (a queryset lookup path such as "region" or "agency__region").
"""

from django.contrib import admin

from agencies.selectors import regions_visible_to


class RegionScopedAdmin(admin.ModelAdmin):
    region_lookup = "region"

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return qs.filter(
            **{f"{self.region_lookup}__in": regions_visible_to(request.user)}
        ).distinct()

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if request.user.is_superuser or field is None:
            return field
        related = db_field.related_model
        regions = regions_visible_to(request.user)
        if related._meta.label == "agencies.Region":
            field.queryset = field.queryset.filter(pk__in=regions)
        elif hasattr(related, "region") or related._meta.label == "agencies.Agency":
            field.queryset = field.queryset.filter(region__in=regions)
        return field


class RegionScopedInline(admin.TabularInline):
    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if request.user.is_superuser or field is None:
            return field
        related = db_field.related_model
        if related._meta.label == "agencies.Agency" or hasattr(related, "region"):
            field.queryset = field.queryset.filter(region__in=regions_visible_to(request.user))
        return field
