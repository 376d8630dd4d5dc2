"""Extra panels on the staff pages of one application, filled by the apps above (their
`AppConfig.ready()`), so that the case shows what an integration knows about a file without
importing it (docs/code-map.md). The OSS deliveries register here (oss.apps).

A source takes the application and returns None (nothing to show: no panel, and it should cost
at most one query) or ``{"template": "<app>/_panel.html", ...}``; the staff pages include the
template with the dict as `panel`."""

from collections.abc import Callable

PanelSource = Callable[[object], dict | None]

_sources: dict[str, PanelSource] = {}


def staff_panel_register(name: str, source: PanelSource) -> None:
    """Add (or replace) the panel `name`."""
    _sources[name] = source


def staff_panels(application) -> list[dict]:
    """The panels to show on a staff page of `application`, in registration order."""
    panels = []
    for source in _sources.values():
        panel = source(application)
        if panel:
            panels.append(panel)
    return panels


_draft_sources: dict[str, PanelSource] = {}


def draft_panel_register(name: str, source: PanelSource) -> None:
    """Add (or replace) the panel `name` of the applicant's draft page (same contract)."""
    _draft_sources[name] = source


def draft_panels(application) -> list[dict]:
    """The panels to show on the applicant's page of the draft `application`."""
    panels = []
    for source in _draft_sources.values():
        panel = source(application)
        if panel:
            panels.append(panel)
    return panels


_applicant_sources: dict[str, PanelSource] = {}


def applicant_panel_register(name: str, source: PanelSource) -> None:
    """Add (or replace) the panel `name` of the applicant's page of a filed application (the
    levy's bill, issue 17; same contract)."""
    _applicant_sources[name] = source


def applicant_panels(application) -> list[dict]:
    """The panels to show on the applicant's page of `application`."""
    panels = []
    for source in _applicant_sources.values():
        panel = source(application)
        if panel:
            panels.append(panel)
    return panels
