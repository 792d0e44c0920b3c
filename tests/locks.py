"""A row lock held from another connection, for tests of what skips or waits on locked rows."""

import threading

from django.db import connection, transaction


class RowLock:
    """Hold FOR UPDATE on one customer row from another connection until released."""

    def __init__(self, customer_pk):
        self.pk = customer_pk
        self.locked, self.release = threading.Event(), threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        from core.models import Customer

        try:
            with transaction.atomic():
                list(Customer.objects.select_for_update().filter(pk=self.pk))
                self.locked.set()
                self.release.wait(120)
        finally:
            connection.close()

    def __enter__(self):
        self.thread.start()
        assert self.locked.wait(10)
        return self

    def __exit__(self, *exc):
        self.release.set()
        self.thread.join(30)
