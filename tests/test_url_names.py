"""Every URL name the code and the templates use resolves: a view that moves apps (issue 15)
and keeps its path but not its namespace cannot leave a `reverse()` or `{% url %}` behind that
only fails when its page or notice is reached."""

import re
from pathlib import Path

from django.urls import get_resolver

ROOT = Path(__file__).resolve().parent.parent
USES = re.compile(
    r"""(?:reverse(?:_lazy)?\(|redirect\(|\{%\s*url\s+|url_name=|resolve_url\()["']([a-z_]+:[a-z_0-9]+)["']"""
)


def known_names(resolver, prefix="") -> set[str]:
    names = set()
    for pattern in resolver.url_patterns:
        if hasattr(pattern, "url_patterns"):
            namespace = f"{pattern.namespace}:" if pattern.namespace else ""
            names |= known_names(pattern, prefix + namespace)
        elif pattern.name:
            names.add(prefix + pattern.name)
    return names


def test_every_namespaced_url_name_in_code_and_templates_resolves():
    known = known_names(get_resolver())
    unknown = []
    for path in ROOT.rglob("*"):
        if path.suffix not in {".py", ".html", ".txt"} or ".venv" in path.parts:
            continue
        if not path.is_file() or "node_modules" in path.parts:
            continue
        for number, line in enumerate(path.read_text(errors="ignore").splitlines(), 1):
            for use in USES.finditer(line):
                name = use.group(1)
                if not name.startswith("admin:") and name not in known:
                    unknown.append(f"{path.relative_to(ROOT)}:{number}: {name}")
    assert len(known) > 100  # the resolver was read
    assert unknown == []
