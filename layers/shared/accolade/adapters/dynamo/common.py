"""Shared helpers of the DynamoDB repositories: retries, batch limits, pages by sort key."""

from __future__ import annotations

from typing import TypeVar

from pynamodb.exceptions import PutError, UpdateError
from pynamodb.expressions.condition import Condition

from accolade.adapters.dynamo import keys
from accolade.adapters.dynamo.models import (
    Item,
)

MAX_ATTEMPTS = 8
BATCH_GET_LIMIT = 100  # DynamoDB's limit of keys in one BatchGetItem


ItemT = TypeVar("ItemT", bound=Item)


def conditional_failed(exc: PutError | UpdateError) -> bool:
    return exc.cause_response_code == "ConditionalCheckFailedException"


def page(
    model: type[ItemT],
    pk: str,
    prefix: str,
    *,
    limit: int,
    after: str | None,
    newest_first: bool = False,
    filter_condition: Condition | None = None,
    consistent_read: bool = False,
) -> tuple[list[ItemT], str | None]:
    """One page of the items under ``prefix`` in partition ``pk``, in sort-key order.

    One Query with Limit = limit + 1 (more only when DynamoDB's 1 MB page or a filter cuts it
    short): the extra item tells whether a next page exists, so the last page says so.
    """
    items = list(
        model.query(
            pk,
            model.SK.startswith(prefix),
            filter_condition=filter_condition,
            consistent_read=consistent_read,
            scan_index_forward=not newest_first,
            limit=limit + 1,
            page_size=limit + 1,
            last_evaluated_key=keys.page_start(pk, prefix, after),
        )
    )
    if len(items) > limit:
        return items[:limit], items[limit - 1].SK
    return items, None
