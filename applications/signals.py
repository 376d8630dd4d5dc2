"""What the case tells the apps above it, without importing them (docs/code-map.md).

`event_recorded` is sent by `applications.workflow` each time it writes an `Event` (a status
change of the application, a review's decision, a permit's event on the application, or an
event without a status change), inside the transaction that writes it, with `event` (the saved
row). Receivers run in that transaction: what they write commits or rolls back with the event;
they must not talk to the network (enqueue through the outbox instead). The OSS deliveries
listen (oss.apps).

`draft_nib_entered` is sent by `applications.services.filing.application_update_draft` (the
web form and the API alike) when a draft's NIB is saved with a new value, inside the saving
transaction, with `application` (the saved draft) and `nib`. Same rules: no network in the
receiver. OSS listens to ask `inqueryNIB` in the background (oss.apps)."""

from django.dispatch import Signal

event_recorded = Signal()
draft_nib_entered = Signal()
