"""An award's item, and its stream record's image, read as the domain's Award: what the award
repository and the readers of award records share. Apart from ``awards.py`` so that a reader
that only needs the award (publish_credential_status) does not load the repository."""

from __future__ import annotations

from typing import Any

from accolade.adapters.dynamo.common import fields_of
from accolade.adapters.dynamo.models import AwardItem, Item
from accolade.domain.models import Award


def award_from_item(item: AwardItem) -> Award:
    return fields_of(Award, item)


def award_from_image(image: dict[str, Any]) -> tuple[str, Award]:
    """(tenant id, award) of a stream record's image of an award item (else ValueError)."""
    item = Item.from_raw_data(image)
    if not isinstance(item, AwardItem):
        raise ValueError(f"not an award record: {item.entity!r}")
    return item.tenant_id, award_from_item(item)
