"""Mail backends for tests that need the mail server to misbehave at a precise moment."""

from django.core.mail.backends.locmem import EmailBackend
from django.db import connection, connections


class TerminatesDatabaseAfterSend(EmailBackend):
    """Takes the mail (into mail.outbox), then terminates the sending process's PostgreSQL
    backend from another connection: the database error comes after the send, as when
    PostgreSQL restarts or an operator kills sessions during a mail task."""

    terminated = 0

    def send_messages(self, messages):
        sent = super().send_messages(messages)
        pid = connection.connection.info.backend_pid if connection.connection else None
        if pid:
            other = connections.create_connection("default")
            try:
                with other.cursor() as cursor:
                    cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
            finally:
                other.close()
            TerminatesDatabaseAfterSend.terminated += 1
        return sent
