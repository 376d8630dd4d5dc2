"""The SLA of a case, in one place (issue 15):

- `clock`: each stage's clock (intake, one per OPD review, issuance) derived from the event log;
- `sweep`: the reminders and escalations owed now, each sent exactly once;
- the tables are `applications.models.SlaNotice` (the exactly-once record) and `SlaWatch` (when
  to look again).

The working-day arithmetic is `ptsp.workdays`; the working-day ordinals that let SQL count
working days are the region's calendar (`agencies.models.WorkingDay`, `agencies.calendar`).
"""
