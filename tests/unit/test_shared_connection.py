"""A handler's first DynamoDB call builds one botocore client, whatever entities it touches."""

from __future__ import annotations

import pytest

from accolade.adapters.dynamo import models


def test_every_entity_shares_one_connection_and_client(monkeypatch: pytest.MonkeyPatch) -> None:
    # Without credentials PynamoDB builds a new client on every access, shared or not.
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    models.bind("accolade-test", "us-east-1", "http://127.0.0.1:9")

    every: tuple[type[models.Item], ...] = (models.Item, *models.ENTITY_MODELS)
    connections = {id(m._get_connection()) for m in every}
    clients = {id(m._get_connection().connection.client) for m in models.ENTITY_MODELS}

    assert len(connections) == len(clients) == 1


def test_the_shared_description_knows_every_index_of_every_entity() -> None:
    models.bind("accolade-test", "us-east-1", "http://127.0.0.1:9")
    described = models.Item._get_connection().get_meta_table()

    for model in models.ENTITY_MODELS:
        for index in model._get_schema()["global_secondary_indexes"]:
            assert described.get_index_hash_keyname(index["index_name"])


def test_binding_another_table_builds_a_new_connection() -> None:
    models.bind("accolade-a", "us-east-1", "http://127.0.0.1:9")
    first = models.CounterItem._get_connection()
    models.bind("accolade-b", "us-east-1", "http://127.0.0.1:9")

    assert models.CounterItem._get_connection() is not first
    assert models.CounterItem._get_connection().table_name == "accolade-b"
