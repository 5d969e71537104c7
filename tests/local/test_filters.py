from __future__ import annotations

from typing import Any

import pytest

from accolade_local.template import match_any, match_filter

EVENT_INSERT = {
    "eventName": "INSERT",
    "dynamodb": {"NewImage": {"entity": {"S": "event"}, "PK": {"S": "T#t1"}}},
}
AWARD_MODIFY = {
    "eventName": "MODIFY",
    "dynamodb": {
        "NewImage": {"entity": {"S": "award"}, "certificate_status": {"S": "pending"}},
        "OldImage": {"entity": {"S": "award"}},
    },
}
AWARD_REMOVE = {"eventName": "REMOVE", "dynamodb": {"OldImage": {"entity": {"S": "award"}}}}

EVALUATE = {"eventName": ["INSERT"], "dynamodb": {"NewImage": {"entity": {"S": ["event"]}}}}
DELIVER = {
    "eventName": ["INSERT", "MODIFY"],
    "dynamodb": {"NewImage": {"entity": {"S": ["award"]}}},
}
CERTIFICATES = {
    "dynamodb": {"NewImage": {"entity": {"S": ["award"]}, "certificate_status": {"S": ["pending"]}}}
}


@pytest.mark.parametrize(
    ("pattern", "record", "expected"),
    [
        (EVALUATE, EVENT_INSERT, True),
        (EVALUATE, AWARD_MODIFY, False),
        (DELIVER, AWARD_MODIFY, True),
        (DELIVER, EVENT_INSERT, False),
        (DELIVER, AWARD_REMOVE, False),
        (CERTIFICATES, AWARD_MODIFY, True),
        (CERTIFICATES, EVENT_INSERT, False),
        (CERTIFICATES, AWARD_REMOVE, False),
        ({"dynamodb": {"NewImage": {"PK": {"S": [{"prefix": "T#"}]}}}}, EVENT_INSERT, True),
        ({"dynamodb": {"NewImage": {"PK": {"S": [{"prefix": "U#"}]}}}}, EVENT_INSERT, False),
        ({"dynamodb": {"NewImage": {"gone": [{"exists": False}]}}}, EVENT_INSERT, True),
        ({"dynamodb": {"NewImage": {"entity": [{"exists": False}]}}}, EVENT_INSERT, False),
        ({"dynamodb": {"NewImage": {"entity": [{"exists": True}]}}}, EVENT_INSERT, True),
        ({"dynamodb": {"NewImage": {"gone": [{"exists": True}]}}}, EVENT_INSERT, False),
        ({"dynamodb": {"OldImage": [{"exists": False}]}}, EVENT_INSERT, True),
        ({"eventName": [{"anything-but": ["REMOVE"]}]}, EVENT_INSERT, True),
        ({"eventName": [{"anything-but": ["REMOVE"]}]}, AWARD_REMOVE, False),
        ({"eventName": [{"anything-but": "REMOVE"}]}, AWARD_REMOVE, False),
        ({"eventName": [{"anything-but": {"prefix": "IN"}}]}, EVENT_INSERT, False),
        ({"missing": [{"anything-but": ["x"]}]}, EVENT_INSERT, False),
        ({"n": [{"numeric": [">", 0, "<=", 5]}]}, {"n": 5}, True),
        ({"n": [{"numeric": [">", 0, "<=", 5]}]}, {"n": 6}, False),
        ({"tags": ["b"]}, {"tags": ["a", "b"]}, True),
        ({"eventName": ["INSERT"]}, {}, False),
        ({}, EVENT_INSERT, True),
    ],
)
def test_match_filter(pattern: dict[str, Any], record: dict[str, Any], expected: bool) -> None:
    assert match_filter(pattern, record) is expected


def test_no_patterns_match_every_record() -> None:
    assert match_any([], AWARD_REMOVE)


def test_any_pattern_suffices() -> None:
    assert match_any([EVALUATE, DELIVER], AWARD_MODIFY)
    assert not match_any([EVALUATE, CERTIFICATES], AWARD_REMOVE)
