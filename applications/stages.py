"""The route's stages as the pages show them (issue 18): per stage its agencies and whether it
is done, current or waiting.

Read from the catalog version the file was filed under and the file's reviews as rows (the
ones the stage clocks read: `applications.sla.clock.review_rows`); no query of its own.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from applications.models import ReviewStatus
from catalog.services import route_stages

STATE_LABELS = {
    "done": _("done"),
    "current": _("current"),
    "waiting": _("waiting"),
    "closed": _("closed"),
    "deemed": _("closed: deemed approved by law"),
}


@dataclass
class StageRow:
    number: int
    state: str  # done, current, waiting, closed, deemed
    agencies: list[dict] = field(default_factory=list)  # name, status, status_label, head

    @property
    def state_label(self) -> str:
        return str(STATE_LABELS[self.state])


def route_progress(snapshot: dict, reviews: list[dict], *, deemed: bool = False) -> list[StageRow]:
    """The stages of the route of the catalog version `snapshot`, in order, given the file's
    `reviews` (rows with `agency_id`, `agency_name`, `status`). A stage is *waiting* until its
    reviews exist, *done* once every live review recommends, *closed* when all were closed
    without a decision (a rejected or withdrawn file), *deemed* when the file's deemed approval
    (`deemed`) ended it (a review of it closed, or the stage never opened), else *current*."""
    stages = route_stages(snapshot)
    by_agency = {r["agency_id"]: r for r in reviews}
    labels = dict(ReviewStatus.choices)
    rows = []
    for steps in stages:
        agencies = []
        mine = []
        for step in steps:
            review = by_agency.get(step["agency_id"])
            if review is not None:
                mine.append(review)
            agencies.append(
                {
                    "name": review["agency_name"] if review else step.get("agency_name", ""),
                    "status": review["status"] if review else "",
                    "status_label": str(labels.get(review["status"], "")) if review else "",
                    "head_approval": bool(step.get("head_approval")),
                }
            )
        live = [r for r in mine if r["status"] != ReviewStatus.CANCELLED]
        if deemed and (
            not mine
            or any(r["status"] == ReviewStatus.CLOSED_DEEMED for r in mine)
            or len(mine) < len(steps)
        ):
            state = "deemed"
        elif not mine:
            state = "waiting"
        elif not live:
            state = "closed"
        elif len(mine) == len(steps) and all(r["status"] == ReviewStatus.RECOMMENDED for r in live):
            state = "done"
        else:
            state = "current"
        rows.append(StageRow(number=int(steps[0].get("stage", 1)), state=state, agencies=agencies))
    return rows
