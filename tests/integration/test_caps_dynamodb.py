"""The caps on definitions, against DynamoDB Local: the count and the create commit together, so
racing creators never pass a cap; a tenant older than the caps is counted once."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from accolade.adapters.dynamo import keys, models
from accolade.domain.errors import LimitExceededError
from accolade.domain.models import Metric
from accolade.services import admin
from tests.integration.helpers import task_achievement

pytestmark = pytest.mark.usefixtures("aws_env")


def counted(tenant_id: str) -> models.TenantCountsItem:
    return models.TenantCountsItem.get(keys.tenant_pk(tenant_id), keys.COUNTS)


def test_racing_creators_never_pass_the_cap(accolade: Any, tenant_id: str) -> None:
    results: list[bool] = []
    start = threading.Barrier(6)

    def create(n: int) -> None:
        start.wait()
        results.append(accolade.config.create_achievement(tenant_id, task_achievement(n), cap=3))

    threads = [threading.Thread(target=create, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(results) == [False, False, False, True, True, True]
    assert len(accolade.config.get_config(tenant_id).achievements) == 3
    assert counted(tenant_id).achievements == 3


def test_at_the_cap_a_metric_is_replaced_but_not_added(accolade: Any, tenant_id: str) -> None:
    def put(metric_id: str, event_type: str = "task.done") -> bool:
        metric = Metric(metric_id=metric_id, event_type=event_type, aggregate="count")
        try:
            admin.put_metric(tenant_id, metric, config=accolade.config, cap=2)
        except LimitExceededError:
            return False
        return True

    assert put("m-1") and put("m-2")
    assert put("m-1", "task.closed")
    assert not put("m-3")
    assert accolade.config.get_metric(tenant_id, "m-1").event_type == "task.closed"
    assert accolade.config.get_metric(tenant_id, "m-3") is None
    assert len(accolade.config.get_config(tenant_id).metrics) == 2
