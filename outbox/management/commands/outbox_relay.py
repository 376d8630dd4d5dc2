from django.core.management.base import BaseCommand

from outbox.services import pending_count, relay_pending


class Command(BaseCommand):
    help = "Publish pending outbox messages to the broker now."

    def handle(self, *args, **options):
        sent = relay_pending(limit=100000)
        self.stdout.write(f"published {sent}; still pending {pending_count()}")
