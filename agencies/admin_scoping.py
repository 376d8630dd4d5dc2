"""Region isolation for the admin: a region's admins see, choose and change only their own
region's rows, in every list, every form, every foreign key, every inline and every filter.

Platform admins (superusers) see every region. The region of a row is found through
`region_lookup` (a queryset lookup path such as "region" or "agency__region"). The choices of a
foreign key (or many-to-many) field are limited by `scoped_choices`: a model it cannot place in
a region offers no choice at all (fail closed). People are the region's staff only
(`agencies.selectors.region_staff`): a person belongs to one region's staff, or is a platform
user managed by platform admins only. tests/test_admin_isolation.py walks every admin.
"""

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.utils import get_fields_from_path
from django.core.exceptions import FieldDoesNotExist

from agencies.selectors import region_staff, regions_visible_to

# How to find the region of a related row, by the field it has (first match wins).
_REGION_PATHS = (
    ("region", "region"),
    ("agency", "agency__region"),
    ("permit_type", "permit_type__region"),
    ("application", "application__region"),
    ("review", "review__agency__region"),
    ("tariff", "tariff__region"),
)


def region_path(model) -> str | None:
    """The lookup from `model` to its Region, or None when it has none."""
    if model._meta.label == "agencies.Region":
        return "pk"
    names = {f.name for f in model._meta.get_fields()}
    for field, path in _REGION_PATHS:
        if field in names:
            return path
    return None


def scoped_choices(queryset, request):
    """`queryset` limited to what the request's region admin may choose."""
    user = request.user
    if user.is_superuser:
        return queryset
    regions = regions_visible_to(user)
    model = queryset.model
    if model._meta.label == settings.AUTH_USER_MODEL:
        return queryset.filter(pk__in=region_staff(regions).values("pk"))
    path = region_path(model)
    if path is None:
        return queryset.none()
    if path == "pk":
        return queryset.filter(pk__in=regions)
    return queryset.filter(**{f"{path}__in": regions}).distinct()


class RegionScopedFormfields:
    """Foreign keys and many-to-many fields offer the region's rows only."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if field is not None and hasattr(field, "queryset"):
            field.queryset = scoped_choices(field.queryset, request)
        return field

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if field is not None and hasattr(field, "queryset"):
            field.queryset = scoped_choices(field.queryset, request)
        return field


class RegionScopedAdmin(RegionScopedFormfields, admin.ModelAdmin):
    region_lookup = "region"

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return qs.filter(
            **{f"{self.region_lookup}__in": regions_visible_to(request.user)}
        ).distinct()

    def get_list_filter(self, request):
        return scoped_list_filter(self.model, super().get_list_filter(request), request)


def scoped_list_filter(model, filters, request):
    """A region admin's list filters offer only the related rows of their own rows (Django's
    RelatedOnlyFieldListFilter), never every region's names."""
    if request.user.is_superuser:
        return filters
    scoped = []
    for item in filters:
        if isinstance(item, str):
            try:
                last = get_fields_from_path(model, item)[-1]
            except (FieldDoesNotExist, admin.utils.NotRelationField):
                last = None
            if last is not None and last.is_relation:
                item = (item, admin.RelatedOnlyFieldListFilter)
        scoped.append(item)
    return scoped


class RegionScopedInline(RegionScopedFormfields, admin.TabularInline):
    pass
