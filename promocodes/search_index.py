"""The search table of a creation's codes, filled after the creation, off its path.

Generating codes does not write the trigram-indexed search table (that cost as much as the
codes themselves): once a batch is finished, ``index_batch`` copies its codes there in one
statement and marks the batch ``search_indexed``. The worker does it right after a large
creation (``promocodes.tasks``), a small one is indexed inside its own request, and the beat
task finds any finished batch left behind. Until then the report's search matches the
batch's codes on their own columns (``pg.contains_filter``), so a code is found the moment
it exists.
"""

from __future__ import annotations

from django.db import transaction

from . import dialect
from .models import CreationBatch
from .selectors import codes_of_batch

FINISHED = (CreationBatch.State.DONE, CreationBatch.State.FAILED)


def index_batch(batch_id: int) -> int:
    """Copy a finished batch's codes into the search table; how many were copied.

    Idempotent (codes already there are left as they are, e.g. edited since). A batch still
    pending or running is left alone (its codes are not all there yet): 0. The mark is set
    only if the batch is still finished when the copy commits; a *Retry* clears it.
    """
    batch = CreationBatch.objects.filter(pk=batch_id, state__in=FINISHED).first()
    if batch is None or batch.search_indexed:
        return 0
    with transaction.atomic():
        copied = dialect.current().add_to_search(codes_of_batch(batch))
        CreationBatch.objects.filter(pk=batch_id, state__in=FINISHED).update(search_indexed=True)
    return copied


def unindexed_batches(finished_before) -> list[int]:
    """Finished batches (before ``finished_before``) whose codes are not indexed yet."""
    return list(
        CreationBatch.objects.filter(
            search_indexed=False, state__in=FINISHED, finished_at__lt=finished_before
        ).values_list("pk", flat=True)
    )
