from datetime import timedelta

from django import forms
from django.utils.translation import gettext_lazy as _

from monitoring.models import SKM_ELEMENTS

MAX_PERIOD_DAYS = 731


class PeriodForm(forms.Form):
    start = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end:
            if start > end:
                raise forms.ValidationError(_("The period must start before it ends."))
            if end - start > timedelta(days=MAX_PERIOD_DAYS):
                raise forms.ValidationError(_("Choose a period of at most two years."))
        return data


SCORE_CHOICES = [
    (1, _("1 — not good")),
    (2, _("2 — fair")),
    (3, _("3 — good")),
    (4, _("4 — very good")),
]


class SurveyForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment or suggestion (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, label in reversed(SKM_ELEMENTS):
            self.fields = {
                name: forms.TypedChoiceField(
                    label=label, choices=SCORE_CHOICES, coerce=int, widget=forms.RadioSelect
                ),
                **self.fields,
            }
