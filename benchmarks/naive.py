"""The naive baseline of issue 9: what a straightforward per-event design spends on the same events.

Per event, with plain boto3 single-item calls on the same table:

1. an idempotency record: PutItem with ``attribute_not_exists(PK)`` (a duplicate stops here);
2. one UpdateItem ``ADD score`` per counter the event moves (the same counters as Accolade:
   each matching metric x day / week / month / all_time), with the Leaderboard index attributes
   (LBPK, score, entity, user_id, reached_at) so leaderboards read the same; its index sort key
   LBSK is set to reached_at, which moves on every update as a score-ordered key would (an
   index delete + put per update, what the old ``score``-keyed index cost);
3. a strongly consistent GetItem of each counter the event moved that a threshold achievement
   reads (a counter the event did not move cannot have crossed a threshold because of it);
4. a conditional PutItem (``attribute_not_exists(PK)``) per award the event earns: the levels
   this event crossed (the counter before it was below the threshold, now it is not), and the
   event achievements; each award that was written moves the wallet with an UpdateItem ADD;
5. the idempotency record marked complete (UpdateItem).

Once per batch it reads the tenant's configuration with one Query, as Accolade does.

Same end state as Accolade on these events (counters, awards, wallet balances), which
``compare`` checks. It buys its price with weaker guarantees, which is the point of measuring it:
a crash between two of these writes leaves counters moved without the mark (a retry counts the
event twice) or an award without its points; there is no ledger and no event store.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from accolade.adapters.dynamo import keys
from accolade.domain.models import (
    Achievement,
    AchievementType,
    ActivityEvent,
    Award,
    AwardKey,
    Metric,
    TenantSettings,
)
from accolade.domain.periods import zone
from accolade.domain.rules import (
    counter_deltas,
    counters_to_read,
    plan_awards,
    threshold_counter,
)

IDEMPOTENCY_SK = "IDEMPOTENCY"
_DATETIME = "%Y-%m-%dT%H:%M:%S.%f+0000"  # PynamoDB's UTCDateTimeAttribute format


@dataclass
class Config:
    settings: TenantSettings
    metrics: tuple[Metric, ...]
    achievements: tuple[Achievement, ...]


@dataclass
class NaiveResult:
    events: int = 0
    duplicates: int = 0
    awards: int = 0
    failed_award_puts: int = 0


class NaiveEngine:
    """Processes events one by one with single-item requests (see the module docstring)."""

    def __init__(self, client: Any, table: str) -> None:
        self.client = client
        self.table = table

    def config(self, tenant_id: str) -> Config:
        settings = TenantSettings()
        metrics: list[Metric] = []
        achievements: list[Achievement] = []
        request: dict[str, Any] = {
            "TableName": self.table,
            "KeyConditionExpression": "PK = :pk",
            "ExpressionAttributeValues": {":pk": {"S": keys.tenant_pk(tenant_id)}},
            "ConsistentRead": True,
        }
        while True:
            page = self.client.query(**request)
            for item in page["Items"]:
                entity, doc = item["entity"]["S"], item.get("doc", {}).get("S")
                if doc is None:
                    continue
                if entity == "settings":
                    settings = TenantSettings.model_validate(json.loads(doc))
                elif entity == "metric":
                    metrics.append(Metric.model_validate(json.loads(doc)))
                elif entity == "achievement":
                    achievements.append(Achievement.model_validate(json.loads(doc)))
            if "LastEvaluatedKey" not in page:
                return Config(settings, tuple(metrics), tuple(achievements))
            request["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def process(self, tenant_id: str, events: Sequence[ActivityEvent]) -> NaiveResult:
        """One invocation: a batch of events, each processed on its own."""
        result = NaiveResult()
        config = self.config(tenant_id)
        live = [a for a in config.achievements if a.enabled]
        if any(a.audience.groups for a in live):
            raise ValueError("the naive baseline covers workloads without audiences; this one has")
        for event in events:
            self._one(tenant_id, event, config, live, result)
        return result

    def _one(
        self,
        tenant_id: str,
        event: ActivityEvent,
        config: Config,
        live: list[Achievement],
        result: NaiveResult,
    ) -> None:
        tz = zone(config.settings.timezone)
        now = datetime.now(UTC)
        idempotency = {
            "PK": {"S": keys.user_pk(tenant_id, event.user_id)},
            "SK": {"S": f"{IDEMPOTENCY_SK}#{event.event_id}"},
        }
        try:
            self.client.put_item(
                TableName=self.table,
                Item={
                    **idempotency,
                    "entity": {"S": "idempotency"},
                    "status": {"S": "IN_PROGRESS"},
                    "expires_at": {"N": str(int(now.timestamp()) + 3600)},
                },
                ConditionExpression="attribute_not_exists(PK)",
            )
        except self.client.exceptions.ConditionalCheckFailedException:
            result.duplicates += 1
            return
        result.events += 1
        deltas = counter_deltas(event, config.metrics, tz)
        for key, delta in sorted(deltas.items()):
            self.client.update_item(
                TableName=self.table,
                Key={
                    "PK": {"S": keys.user_pk(tenant_id, key.user_id)},
                    "SK": {"S": keys.counter_sk(key)},
                },
                UpdateExpression=(
                    "ADD score :d SET entity = :e, tenant_id = :t, user_id = :u, "
                    "metric_id = :m, period_key = :p, LBPK = :lb, reached_at = :r, LBSK = :r"
                ),
                ExpressionAttributeValues={
                    ":d": {"N": str(delta)},
                    ":e": {"S": "counter"},
                    ":t": {"S": tenant_id},
                    ":u": {"S": key.user_id},
                    ":m": {"S": key.metric_id},
                    ":p": {"S": key.period_key},
                    ":lb": {"S": keys.leaderboard_pk(tenant_id, key.metric_id, key.period_key)},
                    ":r": {"S": now.isoformat()},
                },
            )
        values: dict[Any, Decimal] = {}
        # Only the counters this event moved can have crossed a threshold because of it.
        for key in sorted(counters_to_read([event], live, {}, tz) & set(deltas)):
            found = self.client.get_item(
                TableName=self.table,
                Key={
                    "PK": {"S": keys.user_pk(tenant_id, key.user_id)},
                    "SK": {"S": keys.counter_sk(key)},
                },
                ConsistentRead=True,
            ).get("Item")
            if found:
                values[key] = Decimal(found["score"]["N"])
        for intent in plan_awards([event], live, {}, values, tz):
            achievement = intent.achievement
            if achievement.type is AchievementType.METRIC_THRESHOLD:
                counter = threshold_counter(achievement, event.user_id, event.occurred_at, tz)
                before = values[counter] - deltas.get(counter, Decimal(0))
                if before >= achievement.levels[intent.key.level - 1].threshold:
                    continue  # reached by an earlier event: already granted then
            award = intent.to_award(now, coins_enabled=config.settings.features.coins)
            if self._grant(tenant_id, award):
                result.awards += 1
            else:
                result.failed_award_puts += 1
        self.client.update_item(
            TableName=self.table,
            Key=idempotency,
            UpdateExpression="SET #s = :done",
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues={":done": {"S": "COMPLETED"}},
        )

    def _grant(self, tenant_id: str, award: Award) -> bool:
        try:
            self.client.put_item(
                TableName=self.table,
                Item=award_item(tenant_id, award),
                ConditionExpression="attribute_not_exists(PK)",
            )
        except self.client.exceptions.ConditionalCheckFailedException:
            return False
        if award.points or award.coins:
            self.client.update_item(
                TableName=self.table,
                Key={"PK": {"S": keys.user_pk(tenant_id, award.user_id)}, "SK": {"S": keys.WALLET}},
                UpdateExpression="ADD points :p, coins :c SET entity = :e, tenant_id = :t, user_id = :u",
                ExpressionAttributeValues={
                    ":p": {"N": str(award.points)},
                    ":c": {"N": str(award.coins)},
                    ":e": {"S": "wallet"},
                    ":t": {"S": tenant_id},
                    ":u": {"S": award.user_id},
                },
            )
        return True


def award_item(tenant_id: str, award: Award) -> dict[str, Any]:
    """The award with the attributes Accolade's award items carry (so sizes compare)."""
    item: dict[str, Any] = {
        "PK": {"S": keys.user_pk(tenant_id, award.user_id)},
        "SK": {"S": keys.award_sk(AwardKey.from_award_id(award.award_id))},
        "entity": {"S": "award"},
        "tenant_id": {"S": tenant_id},
        "award_id": {"S": award.award_id},
        "user_id": {"S": award.user_id},
        "achievement_id": {"S": award.achievement_id},
        "achievement_type": {"S": award.achievement_type.value},
        "achievement_version": {"N": str(award.achievement_version)},
        "level": {"N": str(award.level)},
        "period_key": {"S": award.period_key},
        "status": {"S": award.status.value},
        "awarded_at": {"S": award.awarded_at.astimezone(UTC).strftime(_DATETIME)},
        "points": {"N": str(award.points)},
        "coins": {"N": str(award.coins)},
        "GSI1PK": {"S": keys.achievement_holders_pk(tenant_id, award.achievement_id)},
        "GSI1SK": {"S": keys.achievement_holders_sk(award.awarded_at, award.user_id)},
    }
    if award.event_id is not None:
        item["event_id"] = {"S": award.event_id}
    if award.valid_until is not None:
        item["valid_until"] = {"S": award.valid_until.astimezone(UTC).strftime(_DATETIME)}
    if award.certificate_status is not None:
        item["certificate_status"] = {"S": award.certificate_status.value}
    return item


# --- the end state, compared ----------------------------------------------------------------------


@dataclass
class EndState:
    counters: dict[tuple[str, str, str], Decimal] = field(default_factory=dict)
    awards: dict[tuple[str, str, str, int], tuple[int, int, str]] = field(default_factory=dict)
    wallets: dict[str, tuple[int, int]] = field(default_factory=dict)


def end_state(client: Any, table: str, tenant_id: str, users: Iterable[str]) -> EndState:
    """Every counter, award and wallet balance of the tenant's users (read uncounted).

    Awards name their achievement by its name: each tenant's achievements have their own ids.
    """
    state = EndState()
    names = {
        a.achievement_id: a.name for a in NaiveEngine(client, table).config(tenant_id).achievements
    }
    for user_id in users:
        request: dict[str, Any] = {
            "TableName": table,
            "KeyConditionExpression": "PK = :pk",
            "ExpressionAttributeValues": {":pk": {"S": keys.user_pk(tenant_id, user_id)}},
            "ConsistentRead": True,
        }
        while True:
            page = client.query(**request)
            for item in page["Items"]:
                sk = item["SK"]["S"]
                if sk.startswith(keys.COUNTER_PREFIX):
                    state.counters[(user_id, item["metric_id"]["S"], item["period_key"]["S"])] = (
                        Decimal(item["score"]["N"])
                    )
                elif sk.startswith(keys.AWARD_PREFIX):
                    state.awards[
                        (
                            user_id,
                            names[item["achievement_id"]["S"]],
                            item["period_key"]["S"],
                            int(item["level"]["N"]),
                        )
                    ] = (
                        int(item["points"]["N"]),
                        int(item["coins"]["N"]),
                        item["status"]["S"],
                    )
                elif sk == keys.WALLET:
                    points, coins = int(item["points"]["N"]), int(item["coins"]["N"])
                    if points or coins:
                        state.wallets[user_id] = (points, coins)
            if "LastEvaluatedKey" not in page:
                break
            request["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    return state


class EndStateMismatchError(AssertionError):
    """The naive baseline did not reach Accolade's end state: its numbers would mean nothing."""


def compare(accolade: EndState, naive: EndState) -> None:
    """Raise EndStateMismatchError naming the first differences, if any."""
    problems: list[str] = []
    for what, ours, theirs in (
        ("counter", accolade.counters, naive.counters),
        ("award", accolade.awards, naive.awards),
        ("wallet", accolade.wallets, naive.wallets),
    ):
        mine: dict[Any, Any] = dict(ours)
        other: dict[Any, Any] = dict(theirs)
        for key in sorted(set(mine) | set(other), key=str):
            if mine.get(key) != other.get(key):
                problems.append(f"{what} {key}: accolade {mine.get(key)} naive {other.get(key)}")
    if problems:
        shown = "\n  ".join(problems[:15])
        raise EndStateMismatchError(
            f"naive end state differs from Accolade's in {len(problems)} places:\n  {shown}"
        )
