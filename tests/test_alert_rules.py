"""The Prometheus alert rules shipped in deploy/prometheus/alerts.yml: valid YAML of Prometheus'
rule-file shape, the four concerns of issue 22 covered, and every metric they name is one the
portal exports (rendered here from the real collectors)."""

import re
from pathlib import Path

import pytest
import yaml
from django.utils import timezone

from applications.models import Review
from ptsp.observability import metrics
from tests.journeys import recommended_application, submitted_application

pytestmark = pytest.mark.django_db

RULES = Path(__file__).resolve().parent.parent / "deploy" / "prometheus" / "alerts.yml"
SUFFIXES = ("_total", "_created", "_bucket", "_count", "_sum")


def _rules() -> list[dict]:
    document = yaml.safe_load(RULES.read_text())
    assert set(document) == {"groups"}
    rules = []
    for group in document["groups"]:
        assert set(group) == {"name", "rules"} and group["rules"]
        rules.extend(group["rules"])
    return rules


def _base(name: str) -> str:
    for suffix in SUFFIXES:
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def _exported_names() -> set[str]:
    text = metrics.render().decode()
    names = set(re.findall(r"^# TYPE (\w+) ", text, re.M))
    names |= set(re.findall(r"^(ptsp_\w+)", text, re.M))
    return {_base(name) for name in names}


def test_the_rules_file_has_prometheus_shape():
    rules = _rules()
    names = [rule["alert"] for rule in rules]
    assert len(names) == len(set(names))
    for rule in rules:
        assert set(rule) <= {"alert", "expr", "for", "labels", "annotations"}, rule
        assert rule["labels"]["severity"] in {"info", "warning", "critical"}
        assert rule["annotations"]["summary"]
        assert rule["expr"].count("(") == rule["expr"].count(")"), rule["alert"]
        if "for" in rule:
            assert re.fullmatch(r"\d+[smh]", rule["for"]), rule


def test_the_rules_cover_failed_work_backlog_deliveries_and_overdue_growth():
    exprs = {rule["alert"]: rule["expr"] for rule in _rules()}
    joined = " ".join(exprs.values())
    for metric in (
        "ptsp_failed_tasks_waiting",
        "ptsp_outbox_pending",
        "ptsp_task_retries_total",
        "ptsp_task_failures_total",
        "ptsp_reviews_overdue",
        "ptsp_stage_overdue",
    ):
        assert metric in joined, metric


def test_every_metric_in_the_rules_is_exported(demo):
    submitted_application()
    exported = _exported_names()
    named = {_base(name) for rule in _rules() for name in re.findall(r"\bptsp_\w+", rule["expr"])}
    assert named and named <= exported, sorted(named - exported)


def _gauges(text: str, name: str) -> dict[tuple[str, str], float]:
    pattern = rf'^{name}{{region="(\w+)",stage="(\w+)"}} ([0-9.]+)$'
    return {(r, st): float(v) for r, st, v in re.findall(pattern, text, re.M)}


def test_the_stage_gauges_count_intake_and_signing_per_region(demo):
    before = metrics.render().decode()
    application = submitted_application()
    # It is overdue at intake: its due time was an hour ago.
    type(application).objects.filter(pk=application.pk).update(
        due_at=timezone.now() - timezone.timedelta(hours=1)
    )
    submitted_application(applicant_email="siti.rahma@example.id")
    waiting = recommended_application()  # at the signer's: the signing stage
    type(waiting).objects.filter(pk=waiting.pk).update(
        due_at=timezone.now() - timezone.timedelta(minutes=5)
    )
    after = metrics.render().decode()
    open_before, open_after = (_gauges(t, "ptsp_stage_open") for t in (before, after))
    overdue_before, overdue_after = (_gauges(t, "ptsp_stage_overdue") for t in (before, after))
    # Every active region has both stages, zeros included (a series for growth alerts).
    assert {key for key in open_after if key[0] == "BTG"} == {("BTG", "intake"), ("BTG", "signing")}
    assert set(overdue_after) == set(open_after)
    assert open_after[("BTG", "intake")] == open_before[("BTG", "intake")] + 2
    assert overdue_after[("BTG", "intake")] == overdue_before[("BTG", "intake")] + 1
    assert open_after[("BTG", "signing")] == open_before[("BTG", "signing")] + 1
    assert overdue_after[("BTG", "signing")] == overdue_before[("BTG", "signing")] + 1
    assert not Review.objects.filter(application=application).exists()  # the OPD gauges apart
