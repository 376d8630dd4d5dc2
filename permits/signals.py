"""What issuance tells the apps above it, without importing them (issue 15: permits imports
nothing above itself)."""

from django.dispatch import Signal

#: Sent inside the issuing transaction, right after the application became `issued` (or a retry
#: of it found it so), with `application_id` and `permit_id`. Receivers run in that
#: transaction: what they write commits or rolls back with the permit. The satisfaction survey's invitation listens
#: (monitoring.apps), and the OSS delivery of the final permit (oss.apps).
application_issued = Signal()
