"""Links reversed once per process (ptsp/links.py, issue 20): `{% url %}` and `reverse_cached`
give what Django's `reverse()` gives, every time, and never a link of another URLconf or script
prefix."""

import pytest
from django.http import HttpResponse
from django.template import Context, Template
from django.test import override_settings
from django.urls import NoReverseMatch, path, reverse, set_script_prefix

from ptsp import links
from ptsp.links import reverse_cached

# A URLconf of this module, for the test that the cache follows ROOT_URLCONF.
urlpatterns = [path("elsewhere/<int:pk>/", lambda request, pk: HttpResponse(), name="elsewhere")]


@pytest.fixture(autouse=True)
def _empty_cache():
    links.clear()
    yield
    links.clear()


def _render(source: str, **context) -> str:
    return Template("{% load i18n %}" + source).render(Context(context))


CASES = [
    ("home", [], {}),
    ("applications:notifications", [], {}),
    ("applications:review", [7], {}),
    ("applications:review", [8], {}),
    ("applications:detail", [], {"pk": 12}),
    ("catalog:catalog_detail", ["BTG", "KLINIK-T"], {}),
]


@pytest.mark.parametrize(("name", "args", "kwargs"), CASES)
def test_reverse_cached_is_reverse_the_first_time_and_after(name, args, kwargs):
    expected = reverse(name, args=args, kwargs=kwargs)
    assert reverse_cached(name, args=args, kwargs=kwargs) == expected
    assert reverse_cached(name, args=args, kwargs=kwargs) == expected


def test_the_url_tag_writes_what_djangos_reverse_writes():
    rows = [{"pk": 3}, {"pk": 41}, {"pk": 3}]
    html = _render(
        "{% for r in rows %}[{% url 'applications:review' r.pk %}]{% endfor %}", rows=rows
    )
    assert html == "".join(f"[{reverse('applications:review', args=[r['pk']])}]" for r in rows)
    assert _render(
        "{% url 'catalog:catalog_detail' region code %}", region="BTG", code="KLINIK-T"
    ) == (reverse("catalog:catalog_detail", args=["BTG", "KLINIK-T"]))
    assert _render("{% url 'applications:detail' pk=5 %}") == reverse(
        "applications:detail", args=[5]
    )
    assert _render("{% url 'home' as link %}<{{ link }}>") == f"<{reverse('home')}>"


def test_a_name_that_does_not_reverse_fails_every_time():
    for _ in range(2):
        with pytest.raises(NoReverseMatch):
            reverse_cached("no-such-page")
        with pytest.raises(NoReverseMatch):
            _render("{% url 'applications:review' 'not-a-number' %}")
    # `as var` leaves nothing, as Django's tag does.
    assert _render("{% url 'no-such-page' as link %}[{{ link }}]") == "[]"


def test_arguments_that_are_not_plain_go_to_reverse_each_time():
    class Number:
        def __str__(self):
            return "9"

    assert reverse_cached("applications:review", args=[Number()]) == reverse(
        "applications:review", args=[9]
    )
    assert not links._urls


def test_another_urlconf_is_never_answered_from_the_cache():
    assert reverse_cached("home") == "/"
    with override_settings(ROOT_URLCONF=__name__):
        with pytest.raises(NoReverseMatch):
            reverse_cached("home")
        assert reverse_cached("elsewhere", args=[4]) == "/elsewhere/4/"
    assert reverse_cached("home") == "/"
    with pytest.raises(NoReverseMatch):
        reverse_cached("elsewhere", args=[4])


def test_the_script_prefix_is_part_of_the_link():
    assert reverse_cached("applications:review", args=[2]) == "/reviews/2/"
    set_script_prefix("/ptsp/")
    try:
        assert reverse_cached("applications:review", args=[2]) == "/ptsp/reviews/2/"
    finally:
        set_script_prefix("/")
    assert reverse_cached("applications:review", args=[2]) == "/reviews/2/"


def test_a_full_cache_starts_again(monkeypatch):
    monkeypatch.setattr(links, "MAX_ENTRIES", 3)
    for pk in range(10):
        assert reverse_cached("applications:review", args=[pk]) == f"/reviews/{pk}/"
        assert len(links._urls) <= 3
