"""Export items' stream records in, one export job attempt out (the export_awards function)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from accolade.bootstrap import Container, inject
from accolade.observability import count


def export_record(record: Mapping[str, Any], c: Container) -> bool:
    """Run the export a new export item asks for; True when this attempt finished it (done or
    failed), False when there was nothing to do (a redelivered record of a finished export)."""
    from accolade.adapters.dynamo.exports import export_of_image
    from accolade.services.exports import run_export

    tenant_id, export_id = export_of_image(record["dynamodb"]["NewImage"])
    finished = inject(run_export, c)(tenant_id, export_id)
    if finished is not None:
        count(f"Exports{finished.status.value.capitalize()}", 1)
        count("ExportRows", finished.rows)
    return finished is not None
