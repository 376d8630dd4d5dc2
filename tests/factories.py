"""factory_boy factories. Tests build state through these and through services."""

import factory
from django.utils import timezone

from accounts.models import ApplicantProfile, User
from agencies.demo import DEMO_PASSWORD
from agencies.models import Agency, Membership, Region, Role

PASSWORD = DEMO_PASSWORD


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.id")
    full_name = factory.Faker("name", locale="id_ID")
    email_confirmed_at = factory.LazyFunction(timezone.now)
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class ApplicantFactory(UserFactory):
    profile = factory.RelatedFactory(
        "tests.factories.ApplicantProfileFactory", factory_related_name="user"
    )


class ApplicantProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ApplicantProfile

    user = factory.SubFactory(UserFactory)
    nik = factory.Sequence(lambda n: f"6474{n:012d}")
    phone = "081234567890"


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: "R" + "".join(chr(65 + int(d)) for d in f"{n:03d}"))
    name = factory.LazyAttribute(lambda o: f"Kota {o.code}")
    province = "Kalimantan Timur"
    timezone = "Asia/Makassar"
    letterhead_text = factory.LazyAttribute(lambda o: f"PEMERINTAH {o.name.upper()}\nDPMPTSP")


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency

    region = factory.SubFactory(RegionFactory)
    code = factory.Sequence(lambda n: f"OPD{n}")
    name = factory.LazyAttribute(lambda o: f"Dinas {o.code}")
    kind = Agency.Kind.OPD


class DpmptspFactory(AgencyFactory):
    code = "DPMPTSP"
    name = "DPMPTSP"
    kind = Agency.Kind.DPMPTSP


def staff(agency: Agency, role: str, **kwargs) -> User:
    user = UserFactory(**kwargs)
    Membership.objects.create(user=user, agency=agency, role=role)
    return user


__all__ = ["PASSWORD", "Role", "staff"]
