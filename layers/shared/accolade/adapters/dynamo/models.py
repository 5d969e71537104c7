"""PynamoDB models of the single table: one base model owns PK/SK/GSIs and the discriminator.

Each entity is a subclass; its key pattern is in ``keys.py``. These models never leave the
``accolade.adapters`` package: repositories map them to domain models.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any, TypeVar

import botocore.session
from pynamodb import constants
from pynamodb.attributes import (
    Attribute,
    BooleanAttribute,
    DiscriminatorAttribute,
    NumberAttribute,
    NumberSetAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.connection.base import MetaTable
from pynamodb.connection.table import TableConnection
from pynamodb.constants import NUMBER, STRING
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, IncludeProjection
from pynamodb.models import Model


class DecimalAttribute(Attribute[Decimal]):
    """An exact number: PynamoDB's NumberAttribute round-trips through float."""

    attr_type = NUMBER

    def serialize(self, value: Decimal) -> str:
        return str(value)

    def deserialize(self, value: str) -> Decimal:
        return Decimal(value)


class JSONAttribute(Attribute[Any]):
    """A document stored as a JSON string (definitions read and written whole)."""

    attr_type = STRING

    def serialize(self, value: Any) -> str:
        return json.dumps(value, separators=(",", ":"), sort_keys=True, default=str)

    def deserialize(self, value: str) -> Any:
        return json.loads(value)


_M = TypeVar("_M", bound=Model)


class _Gsi1(GlobalSecondaryIndex[_M]):
    """GSI1, overloaded: what a query of it returns depends on its partition."""

    class Meta:
        index_name = "GSI1"
        projection = AllProjection()

    GSI1PK = UnicodeAttribute(hash_key=True)
    GSI1SK = UnicodeAttribute(range_key=True)


class HoldersIndex(_Gsi1["AwardItem"]):
    """GSI1 under T#{tenant}#ACH#{achievement}: the holders of an achievement, in award order."""


class EnrollmentsIndex(_Gsi1["EnrollmentItem"]):
    """GSI1 under T#{tenant}#CE#{course_event}: the learners of a course event, by user id."""


class PeriodTopIndex(_Gsi1["AchievementItem"]):
    """GSI1 under PERIOD_TOP: every period-winner achievement, for the winners job."""


class ExpiringTenantsIndex(_Gsi1["ExpiringTenantItem"]):
    """GSI1 under EXPIRING_TENANTS: every tenant that has had an award with an expiry."""


class TenantSettingsIndex(_Gsi1["SettingsItem"]):
    """GSI1 under TENANT_SETTINGS: every tenant's settings, for the winners job (zone, grace)."""


class LeaderboardIndex(GlobalSecondaryIndex["CounterItem"]):
    """Leaderboard of a (metric, period), queried by score; sparse (counters only)."""

    class Meta:
        index_name = "Leaderboard"
        projection = IncludeProjection(["entity", "user_id", "score", "reached_at"])

    LBPK = UnicodeAttribute(hash_key=True)
    LBSK = UnicodeAttribute(range_key=True)  # rules.standing_order: highest is the winner


class ExpiryIndex(GlobalSecondaryIndex["AwardItem"]):
    """The Leaderboard index overloaded (sparse) on award items: a tenant's active awards not yet
    told they expire soon, by month and expiry. Its projection holds the keys, not the award."""

    class Meta:
        index_name = "Leaderboard"
        projection = IncludeProjection(["entity", "user_id", "score", "reached_at"])

    LBPK = UnicodeAttribute(hash_key=True)
    LBSK = UnicodeAttribute(range_key=True)


class Item(Model):
    """Base of every entity in the table."""

    class Meta:
        table_name = "accolade"
        region = "us-east-1"
        max_retry_attempts = 8
        host: str | None = None

    PK = UnicodeAttribute(hash_key=True)
    SK = UnicodeAttribute(range_key=True)
    entity = DiscriminatorAttribute()
    tenant_id = UnicodeAttribute()

    @classmethod
    def _get_connection(cls) -> TableConnection:
        """One connection (one botocore client) for every entity of the table.

        PynamoDB builds a client per model class; with a dozen entities a handler's first call
        paid for a dozen clients. All entities share the table, so they share one connection,
        whose table description lists every index.
        """
        global _shared  # noqa: PLW0603 - one per process, like the botocore client it holds
        if _shared is None or _shared.table_name != Item.Meta.table_name:
            _shared = TableConnection(
                Item.Meta.table_name,
                meta_table=_table_description(),
                region=Item.Meta.region,
                host=Item.Meta.host,
                max_retry_attempts=Item.Meta.max_retry_attempts,
            )
        return _shared


_shared: TableConnection | None = None


def session() -> botocore.session.Session:
    """The botocore session of the shared connection, for the process's other AWS clients."""
    session: botocore.session.Session = Item._get_connection().connection.session
    return session


def _table_description() -> MetaTable:
    """The table's keys and every index of every entity, as PynamoDB describes a table."""
    indexes: dict[str, Any] = {}
    attributes: dict[str, Any] = {}
    for model in ENTITY_MODELS:
        schema = model._get_schema()
        for index in schema["global_secondary_indexes"]:
            indexes[index["index_name"]] = index["key_schema"]
            for definition in index["attribute_definitions"]:
                attributes[definition["AttributeName"]] = dict(definition)
        for definition in schema["attribute_definitions"]:
            attributes[definition["AttributeName"]] = dict(definition)
    key_schema = Item._get_schema()["key_schema"]
    return MetaTable(
        {
            constants.TABLE_NAME: Item.Meta.table_name,
            constants.KEY_SCHEMA: key_schema,
            constants.ATTR_DEFINITIONS: list(attributes.values()),
            constants.GLOBAL_SECONDARY_INDEXES: [
                {constants.INDEX_NAME: name, constants.KEY_SCHEMA: keys}
                for name, keys in indexes.items()
            ],
            constants.LOCAL_SECONDARY_INDEXES: [],
        }
    )


class DocumentItem(Item):
    """Settings, metrics, achievements and user profiles: a versioned JSON document."""

    doc = JSONAttribute()
    version = NumberAttribute(default=1)


class SettingsItem(DocumentItem, discriminator="settings"):
    """PK T#{tenant}, SK SETTINGS; GSI1 TENANT_SETTINGS/{tenant}."""

    GSI1PK = UnicodeAttribute(null=True)
    GSI1SK = UnicodeAttribute(null=True)
    tenants = TenantSettingsIndex()


class MetricItem(DocumentItem, discriminator="metric"):
    """PK T#{tenant}, SK METRIC#{metric_id}."""


class MetricsRevisionItem(Item, discriminator="metrics_revision"):
    """PK T#{tenant}, SK METRICS: ``revision`` grows with every metric write (an optimistic lock
    over all); ``config_revision`` with every settings, metric or achievement write, in the same
    transaction (evaluation's cached configuration is current while it is unchanged)."""

    revision = NumberAttribute(default=0)
    config_revision = NumberAttribute(null=True)


class AchievementItem(DocumentItem, discriminator="achievement"):
    """PK T#{tenant}, SK ACH#{achievement_id}; period winners also GSI1 PERIOD_TOP/{tenant}#{id}."""

    GSI1PK = UnicodeAttribute(null=True)
    GSI1SK = UnicodeAttribute(null=True)
    period_top = PeriodTopIndex()


class TenantCountsItem(Item, discriminator="tenant_counts"):
    """PK T#{tenant}, SK COUNTS: how many achievements and metrics the tenant has defined.

    Moved in the same transaction as each create, under the condition that it stays below the
    cap; absent until the tenant's first create.
    """

    achievements = NumberAttribute(null=True)
    metrics = NumberAttribute(null=True)


class WinnerSlotItem(Item, discriminator="winner_slot"):
    """PK T#{tenant}#WIN, SK {achievement}#{period}: taken once by the period's winning award."""

    user_id = UnicodeAttribute()
    award_id = UnicodeAttribute()


class ProjectItem(Item, discriminator="project"):
    """PK T#{tenant}#PRJ#{project}, SK PROJECT: when the project was created (the first
    ``project.created`` event's occurred_at; absent until then) and, by achievement id, the first
    activity in it (``first``, written under an optimistic lock on ``version``)."""

    project_id = UnicodeAttribute()
    created_at = UTCDateTimeAttribute(null=True)
    first = JSONAttribute(null=True)
    version = NumberAttribute(null=True)


class UserItem(DocumentItem, discriminator="user"):
    """PK T#{tenant}#U#{user}, SK PROFILE: the profile an admin sets (``doc``) and the award the
    user features, which only the user sets (outside ``doc``, so neither write undoes the other)."""

    featured_award_id = UnicodeAttribute(null=True)


class GoalsItem(DocumentItem, discriminator="goals"):
    """PK T#{tenant}#U#{user}, SK GOALS: every goal of the user, ``doc`` by goal id, written
    under an optimistic lock on ``version``. One item, so the evaluator reads the goals of a
    whole batch's users in one BatchGetItem, and the cap holds against racing writers."""


class EventItem(Item, discriminator="event"):
    """PK T#{tenant}#U#{user}, SK EVT#{event_id}. Its INSERT stream record starts evaluation."""

    event_id = UnicodeAttribute()
    type = UnicodeAttribute()
    user_id = UnicodeAttribute()
    occurred_at = UnicodeAttribute()
    value = DecimalAttribute(null=True)
    attributes = JSONAttribute(null=True)
    fingerprint = UnicodeAttribute()
    received_at = UTCDateTimeAttribute()


class CounterItem(Item, discriminator="counter"):
    """PK T#{tenant}#U#{user}, SK CNT#{metric}#{period}; LBPK/LBSK (ranked periods only) feed
    the leaderboard."""

    user_id = UnicodeAttribute()
    metric_id = UnicodeAttribute()
    period_key = UnicodeAttribute()
    LBPK = UnicodeAttribute(null=True)
    LBSK = UnicodeAttribute(null=True)
    score = DecimalAttribute()
    reached_at = UnicodeAttribute()
    # The stream position of the last event counted (digits; up to 40, beyond a number's 38).
    applied_position = UnicodeAttribute(null=True)
    leaderboard = LeaderboardIndex()


class AwardItem(Item, discriminator="award"):
    """PK T#{tenant}#U#{user}, SK AWD#{achievement}#{period}#{level}; GSI1 lists holders."""

    award_id = UnicodeAttribute()
    user_id = UnicodeAttribute()
    achievement_id = UnicodeAttribute()
    achievement_type = UnicodeAttribute()
    achievement_version = NumberAttribute()
    level = NumberAttribute()
    period_key = UnicodeAttribute()
    status = UnicodeAttribute()
    awarded_at = UTCDateTimeAttribute()
    valid_from = UTCDateTimeAttribute(null=True)
    valid_until = UTCDateTimeAttribute(null=True)
    points = NumberAttribute()
    coins = NumberAttribute()
    event_id = UnicodeAttribute(null=True)
    certificate_status = UnicodeAttribute(null=True)
    certificate_key = UnicodeAttribute(null=True)
    # When an admin last asked to render it anew (refresh-documents).
    certificate_requested_at = UTCDateTimeAttribute(null=True)
    given_by = UnicodeAttribute(null=True)
    note = UnicodeAttribute(null=True)
    revoked_at = UTCDateTimeAttribute(null=True)
    revoke_reason = UnicodeAttribute(null=True)
    identifier = UnicodeAttribute(null=True)
    sequence_id = UnicodeAttribute(null=True)
    supersedes = UnicodeAttribute(null=True)
    issued_by = UnicodeAttribute(null=True)
    time_boxed = BooleanAttribute(default=False)  # absent in awards stored before it: False
    GSI1PK = UnicodeAttribute()
    GSI1SK = UnicodeAttribute()
    holders = HoldersIndex()
    LBPK = UnicodeAttribute(null=True)
    LBSK = UnicodeAttribute(null=True)
    expiring = ExpiryIndex()


class SummaryItem(Item, discriminator="summary"):
    """PK T#{tenant}#U#{user}, SK SUM#{achievement}: the user's active awards of one achievement
    added up; written in each grant's transaction under an optimistic lock on ``version``."""

    user_id = UnicodeAttribute()
    achievement_id = UnicodeAttribute()
    times_earned = NumberAttribute(default=0)
    highest_level = NumberAttribute(default=0)
    points_earned = NumberAttribute(default=0)
    period_key = UnicodeAttribute(null=True)
    period_levels = JSONAttribute(null=True)
    valid_until = UTCDateTimeAttribute(null=True)
    latest_award_id = UnicodeAttribute(null=True)
    latest_level = NumberAttribute(null=True)
    version = NumberAttribute(default=1)


class ExpiringTenantItem(Item, discriminator="expiring_tenant"):
    """PK T#{tenant}#EXPIRY, SK TENANT; GSI1 EXPIRING_TENANTS/{tenant}: written (idempotently)
    before the tenant's first award with an expiry, so the notices job lists its tenants in one
    query."""

    GSI1PK = UnicodeAttribute()
    GSI1SK = UnicodeAttribute()
    tenants = ExpiringTenantsIndex()


class WalletItem(Item, discriminator="wallet"):
    """PK T#{tenant}#U#{user}, SK WALLET: running balances; ``entries`` orders the ledger."""

    user_id = UnicodeAttribute()
    points = NumberAttribute(default=0)
    coins = NumberAttribute(default=0)
    entries = NumberAttribute(default=0)


class LedgerItem(Item, discriminator="ledger"):
    """PK T#{tenant}#U#{user}, SK LEDGER#{sequence}: one wallet movement with its balance. The
    user and the sequence are the key's, not stored again (``keys.ledger_sequence``)."""

    award_id = UnicodeAttribute()
    points = NumberAttribute()
    coins = NumberAttribute()
    points_balance = NumberAttribute()
    coins_balance = NumberAttribute()
    reason = UnicodeAttribute()
    at = UTCDateTimeAttribute()


class SequenceItem(Item, discriminator="sequence"):
    """PK T#{tenant}#SEQ#{sequence}, SK SEQUENCE: the definition (``doc``), the next number it
    issues and how many it issued. A partition of its own: every numbered award's transaction
    moves ``next_number`` on the condition that it is still the one read."""

    sequence_id = UnicodeAttribute()
    doc = JSONAttribute()
    next_number = NumberAttribute()
    issued = NumberAttribute(default=0)


class IdentifierItem(Item, discriminator="identifier"):
    """PK T#{tenant}#IDENT#{identifier}, SK IDENTIFIER: which award holds an identifier, written
    in the award's transaction on the condition that no award holds it yet."""

    identifier = UnicodeAttribute()
    award_id = UnicodeAttribute()
    user_id = UnicodeAttribute()


class MessageItem(Item, discriminator="message"):
    """PK T#{tenant}#U#{user}, SK MSG#{created_at}#{message_id}: the inbox (newest first by
    query), and the announcement outbox."""

    message_id = UnicodeAttribute()
    user_id = UnicodeAttribute()
    type = UnicodeAttribute()
    title = UnicodeAttribute()
    body = UnicodeAttribute()
    award_id = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    data = JSONAttribute(null=True)
    announced_at = UTCDateTimeAttribute(null=True)
    announcing_until = UTCDateTimeAttribute(null=True)


class CourseTemplateItem(DocumentItem, discriminator="course_template"):
    """PK T#{tenant}#CT#{template}, SK COURSE_TEMPLATE."""


class CourseEventItem(DocumentItem, discriminator="course_event"):
    """PK T#{tenant}#CE#{course_event}, SK COURSE_EVENT."""


class LearningPathItem(DocumentItem, discriminator="learning_path"):
    """PK T#{tenant}#LP, SK PATH#{path}: every path of a tenant in one partition (read whole when
    a learner completes a course)."""


class EnrollmentItem(Item, discriminator="enrollment"):
    """PK T#{tenant}#U#{user}, SK ENR#{course_event}; GSI1 T#{tenant}#CE#{course_event}/{user}.

    Progress is written by unions and maxima only (ADD to sets, SET of flags that only become
    true), so any order of the same events leaves the same item; ``results`` (the admins' pass
    or fail by achievement) is written under an optimistic lock on ``version``.
    """

    user_id = UnicodeAttribute()
    course_event_id = UnicodeAttribute()
    registered = BooleanAttribute(null=True)
    completions = NumberSetAttribute(null=True)  # each whole percent seen; the highest counts
    elearning_passed = BooleanAttribute(null=True)
    assessment_passed = BooleanAttribute(null=True)
    attended = UnicodeSetAttribute(null=True)
    invoice_paid = BooleanAttribute(null=True)
    results = JSONAttribute(null=True)
    version = NumberAttribute(null=True)
    GSI1PK = UnicodeAttribute()
    GSI1SK = UnicodeAttribute()
    learners = EnrollmentsIndex()


class CompletedCoursesItem(Item, discriminator="completed_courses"):
    """PK T#{tenant}#U#{user}, SK COURSES: the templates the learner has completed a course of
    (ADD to a set: order-free), which learning paths are decided from."""

    user_id = UnicodeAttribute()
    templates = UnicodeSetAttribute(null=True)


ENTITY_MODELS: tuple[type[Item], ...] = (
    SettingsItem,
    MetricItem,
    MetricsRevisionItem,
    AchievementItem,
    TenantCountsItem,
    WinnerSlotItem,
    ProjectItem,
    UserItem,
    GoalsItem,
    EventItem,
    CounterItem,
    AwardItem,
    SummaryItem,
    ExpiringTenantItem,
    WalletItem,
    LedgerItem,
    MessageItem,
    CourseTemplateItem,
    CourseEventItem,
    LearningPathItem,
    EnrollmentItem,
    CompletedCoursesItem,
    SequenceItem,
    IdentifierItem,
)


def bind(table_name: str, region: str, host: str | None) -> None:
    """Point every model at the configured table (once per cold start, from bootstrap)."""
    global _shared  # noqa: PLW0603
    every: tuple[type[Item], ...] = (Item, *ENTITY_MODELS)
    for model in every:
        model.Meta.table_name = table_name
        model.Meta.region = region
        model.Meta.host = host
        model._connection = None
    _shared = None


class ExportItem(Item, discriminator="export"):
    """PK T#{tenant}#EXPORTS, SK EXPORT#{export_id}: one awards export, its filters (``doc``),
    status and rows written; ``attempt`` names the job attempt allowed to write it (each retry
    claims it anew). Its INSERT stream record starts the job."""

    export_id = UnicodeAttribute()
    status = UnicodeAttribute()
    rows = NumberAttribute(default=0)
    doc = JSONAttribute()
    created_at = UTCDateTimeAttribute()
    requested_by = UnicodeAttribute()
    finished_at = UTCDateTimeAttribute(null=True)
    error = UnicodeAttribute(null=True)
    attempts = NumberAttribute(default=0)
    attempt = UnicodeAttribute(null=True)


ENTITY_MODELS = (*ENTITY_MODELS, ExportItem)
