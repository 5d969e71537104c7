"""The item classes are built with a faster ``getmembers`` than ``inspect``'s: it must answer
exactly what ``inspect`` does for every class and index PynamoDB asks it about."""

from __future__ import annotations

import inspect
from collections.abc import Callable

import pytest
from pynamodb.attributes import Attribute
from pynamodb.indexes import Index
from pynamodb.models import Model

from accolade.adapters.dynamo import models

CLASSES = sorted(
    {
        value
        for value in vars(models).values()
        if isinstance(value, type) and issubclass(value, (Model, Index))
    },
    key=lambda cls: cls.__qualname__,
)


def is_attribute(value: object) -> bool:
    return isinstance(value, Attribute)


def is_index(value: object) -> bool:
    return isinstance(value, Index)


def test_the_faster_getmembers_is_the_one_pynamodb_calls() -> None:
    import pynamodb.attributes
    import pynamodb.indexes
    import pynamodb.models

    assert pynamodb.attributes.getmembers is models._members  # type: ignore[attr-defined]
    assert pynamodb.indexes.getmembers is models._members  # type: ignore[attr-defined]
    assert pynamodb.models.getmembers is models._members  # type: ignore[attr-defined]
    assert len(CLASSES) > 40  # every item class and index of the table, checked below


@pytest.mark.parametrize("cls", CLASSES, ids=lambda cls: cls.__qualname__)
@pytest.mark.parametrize("predicate", [is_attribute, is_index])
def test_it_answers_what_inspect_answers(cls: type, predicate: Callable[[object], bool]) -> None:
    answer = models._members(cls, predicate)

    assert answer == inspect.getmembers(cls, predicate)
