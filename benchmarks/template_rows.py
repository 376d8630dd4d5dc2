"""What a queue's rows cost the template engine (not a test): the officer's inbox template
(`applications/reviews/inbox.html`, with `base.html`) rendered with 0, 20 and 50 rows, in
process, in Indonesian, and — with `--before DIR`, another checkout of the repository — the
same template from that checkout, interleaved render by render with ours.

    .venv/bin/python benchmarks/template_rows.py [--n 400] [--before /tmp/before]

No database is read (the rows are made here); prints the median render time per row count.
"""

import argparse
import datetime
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TEMPLATE = "applications/reviews/inbox.html"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=400, help="renders per row count and tree")
    parser.add_argument("--before", metavar="DIR", help="another checkout to compare with")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ptsp.settings")
    os.environ.setdefault("DJANGO_ENV", "local")
    os.environ["DEBUG"] = "false"
    import django

    django.setup()
    from zoneinfo import ZoneInfo

    from django.template import Context, Engine
    from django.template.loader import get_template
    from django.utils import timezone, translation

    now = timezone.now()
    rows = [
        {
            "pk": i,
            "status": "in_review",
            "status_label": "Dalam kajian",
            "due_at": now + datetime.timedelta(days=i - 3),
            "legal_state": "running",
            "legal_due_at": now + datetime.timedelta(days=9),
            "tracking_number": f"PTSP-BTG-2026-{i:06d}",
            "business_name": "Klinik Sehat",
            "permit_name": "Izin Operasional Klinik",
        }
        for i in range(50)
    ]
    trees = {"ours": get_template(TEMPLATE).template}
    if args.before:
        before = Path(args.before)
        engine = Engine(
            dirs=[str(before / "applications" / "templates"), str(before / "templates")],
            libraries={name: f"django.templatetags.{name}" for name in ("i18n", "static", "tz")},
            loaders=[
                (
                    "django.template.loaders.cached.Loader",
                    ["django.template.loaders.filesystem.Loader"],
                )
            ],
        )
        trees = {"before": engine.get_template(TEMPLATE), **trees}

    def render(template, shown) -> float:
        context = Context({"reviews": shown, "filters": {"status": "open", "q": ""}, "now": now})
        start = time.perf_counter()
        template.render(context)
        return (time.perf_counter() - start) * 1000

    print(f"{TEMPLATE}, {args.n} renders each, load average {os.getloadavg()[0]:.1f}")
    with translation.override("id"), timezone.override(ZoneInfo("Asia/Makassar")):
        for count in (0, 20, 50):
            times = {name: [] for name in trees}
            for _ in range(args.n):
                for name, template in trees.items():
                    times[name].append(render(template, rows[:count]))
            shown = ", ".join(f"{name} {statistics.median(t):.2f} ms" for name, t in times.items())
            print(f"  {count:3d} rows: {shown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
