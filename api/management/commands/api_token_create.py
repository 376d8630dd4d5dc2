"""Make an API token for a user (e.g. an integration's service account) and print it once."""

from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from api.models import Scope
from api.services import api_token_create
from ptsp.errors import DomainError


class Command(BaseCommand):
    help = "Create a scoped API token for a user and print it (it is not stored in clear)."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--name", default="cli")
        parser.add_argument(
            "--scope", action="append", dest="scopes", choices=Scope.values, required=True
        )

    def handle(self, *args, email, name, scopes, **options):
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            raise CommandError(f"No user {email}.")
        try:
            _token, raw = api_token_create(user=user, name=name, scopes=scopes, actor=None)
        except DomainError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(raw)
