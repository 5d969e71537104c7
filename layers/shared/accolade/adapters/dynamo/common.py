"""Shared helpers of the DynamoDB repositories: retries, batch limits, pages by sort key."""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum
from typing import Any, TypeVar

from pydantic import BaseModel
from pynamodb.attributes import NumberAttribute
from pynamodb.exceptions import PutError, UpdateError
from pynamodb.expressions.condition import Condition

from accolade.adapters.dynamo import keys
from accolade.adapters.dynamo.models import (
    Item,
)
from accolade.ports import Page

MAX_ATTEMPTS = 8


ItemT = TypeVar("ItemT", bound=Item)
DomainT = TypeVar("DomainT", bound=BaseModel)
R = TypeVar("R")


def conditional_failed(exc: PutError | UpdateError) -> bool:
    return exc.cause_response_code == "ConditionalCheckFailedException"


def update_if(item: Item, actions: list[Any], condition: Condition) -> bool:
    """Update ``item`` when ``condition`` holds; False (nothing written) when it does not."""
    try:
        item.update(actions=actions, condition=condition)
    except UpdateError as exc:
        if conditional_failed(exc):
            return False
        raise
    return True


def update_on_version(item: Item, version: NumberAttribute, read: int, actions: list[Any]) -> bool:
    """Update ``item`` with ``actions`` and the next ``version``, on the condition that it is
    still the one read (0: none stored yet): the optimistic lock of an item rewritten from what
    was read. False (nothing written) when another writer moved it meanwhile."""
    locked = version == read if read else version.does_not_exist()
    return update_if(item, [*actions, version.set(read + 1)], locked)


def stored(domain: BaseModel, **given: Any) -> dict[str, Any]:
    """A domain object's fields as its item stores them, under the same names: enums by value
    (``given`` wins)."""
    fields = {name: value.value if isinstance(value, Enum) else value for name, value in domain}
    return fields | given


def fields_of(domain: type[DomainT], item: Item, **given: Any) -> DomainT:
    """The domain object whose fields an item stores under the same names (``given`` wins)."""
    return domain.model_validate(
        {name: getattr(item, name) for name in domain.model_fields if name not in given} | given
    )


def page(
    model: type[ItemT],
    pk: str,
    prefix: str,
    into: Callable[[ItemT], R],
    *,
    limit: int,
    after: str | None,
    newest_first: bool = False,
    filter_condition: Condition | None = None,
    consistent_read: bool = False,
) -> Page[R]:
    """One page of the items under ``prefix`` in partition ``pk``, in sort-key order, each
    turned ``into`` what the caller lists.

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
    following = items[limit - 1].SK if len(items) > limit else None
    return Page([into(item) for item in items[:limit]], following)


def user_page(
    model: type[ItemT],
    tenant_id: str,
    user_id: str,
    prefix: str,
    into: Callable[[ItemT], R],
    **options: Any,
) -> Page[R]:
    """One page of a user's items of one kind (awards, ledger, inbox): ``page`` in the user's
    partition."""
    return page(model, keys.user_pk(tenant_id, user_id), prefix, into, **options)
