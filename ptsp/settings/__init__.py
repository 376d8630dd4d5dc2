"""Settings for every environment, read from the environment through `ptsp.settings.env`.

`DJANGO_ENV` selects the profile: `local` (default: a pip-shipped PostgreSQL and
Redis started by `make run`, nothing to install), `test` (real PostgreSQL and Redis named by the
test command) or `production` (refuses to start without its secrets; `manage.py check --deploy` is clean).
"""

from ptsp.settings.base import *  # noqa: F403
