"""PynamoDB models of the single table: one base model owns PK/SK/GSIs and the discriminator.

Each entity is a subclass; its key pattern is in ``keys.py``. These models never leave the
``accolade.adapters`` package: repositories map them to domain models.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any, TypeVar

import botocore.session
import pynamodb.attributes
import pynamodb.indexes
import pynamodb.models
from pynamodb import constants
from pynamodb.attributes import (
    Attribute,
    BinaryAttribute,
    BooleanAttribute,
    DiscriminatorAttribute,
    NumberAttribute,
    NumberSetAttribute,
    TTLAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.connection.base import MetaTable
from pynamodb.connection.table import TableConnection
from pynamodb.constants import NUMBER, STRING
from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, IncludeProjection
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from accolade.domain import acting


def _members(cls: type, predicate: Callable[[Any], bool]) -> list[tuple[str, Any]]:
    """What ``inspect.getmembers(cls, predicate)`` answers for PynamoDB's predicates (is an
    Attribute, is an Index), read off the namespaces of the class and its bases. PynamoDB calls
    it twice for every model class and once for every index; ``inspect``'s own does a
    ``getattr`` of every name in ``dir(cls)`` (a Model has about 100): some 17 M instructions
    of every handler's first call, 2% of it (callgrind). Equal to ``inspect``'s for every class
    here (``tests/unit/test_dynamo_models.py``)."""
    found: dict[str, Any] = {}
    for klass in reversed(cls.__mro__):
        found.update(vars(klass))
    return sorted((name, value) for name, value in found.items() if predicate(value))


# Before any class below is created (pynamodb 6.1 imports the function into these modules).
for _module in (pynamodb.attributes, pynamodb.indexes, pynamodb.models):
    setattr(_module, "getmembers", _members)  # noqa: B010 (not a public attribute of theirs)


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


class InboxIndex(_Gsi1["MessageItem"]):
    """GSI1 under T#{tenant}#U#{user}#INBOX#{READ|UNREAD}#{type}: a user's messages of one type
    in one read state, newest first by the message's sort key."""


class PeriodTopIndex(_Gsi1["AchievementItem"]):
    """GSI1 under PERIOD_TOP: every period-winner achievement, for the winners job."""


class ExpiringTenantsIndex(_Gsi1["ExpiringTenantItem"]):
    """GSI1 under EXPIRING_TENANTS: every tenant that has had an award with an expiry."""


class TenantSettingsIndex(_Gsi1["SettingsItem"]):
    """GSI1 under TENANT_SETTINGS: every tenant's settings, for the winners job (zone, grace)."""


class UserEventsIndex(_Gsi1["EventItem"]):
    """GSI1 under T#{tenant}#U#{user}#ET#{type}: a user's events of one type, by occurred_at."""


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
    # The stamp of the admin action that last wrote the item (domain.audit), in that same write.
    audit = UnicodeAttribute(null=True)

    def entity_name(self) -> str:
        discriminator = type(self).entity.get_discriminator(type(self))
        return str(discriminator)

    def save(
        self, condition: Condition | None = None, *, add_version_condition: bool = True
    ) -> dict[str, Any]:
        stamp = acting.stamp_for(self.entity_name())
        if stamp is not None:
            self.audit = stamp.to_json()
        return super().save(condition, add_version_condition=add_version_condition)

    def update(
        self,
        actions: list[Action],
        condition: Condition | None = None,
        *,
        add_version_condition: bool = True,
    ) -> Any:
        stamp = acting.stamp_for(self.entity_name())
        if stamp is not None:
            actions = [*actions, Item.audit.set(stamp.to_json())]
        return super().update(actions, condition, add_version_condition=add_version_condition)

    def delete(
        self, condition: Condition | None = None, *, add_version_condition: bool = True
    ) -> Any:
        # A deletion's stream record has no new image to carry a stamp: an audited delete
        # puts its entry in the same transaction, with what the item held (the caller's
        # condition says it is what was read) as the before.
        stamp = acting.stamp_for(self.entity_name())
        if stamp is None:
            return super().delete(condition, add_version_condition=add_version_condition)
        from accolade.adapters.dynamo.audit import audit_item
        from accolade.domain.audit import entry_of

        entry = audit_item(self.tenant_id, entry_of(stamp, self.entity_name(), plain(self), None))
        connection = self._get_connection().connection
        with TransactWrite(connection=connection, client_request_token=str(uuid.uuid4())) as tx:
            tx.delete(self, condition=condition)
            tx.save(entry, condition=AuditItem.PK.does_not_exist())
        return None

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
    # Moved by every profile write: a completion tally counted under the organisation and groups
    # read commits only while the profile is still the one read (adapters/dynamo/reports.py).
    org_rev = NumberAttribute(null=True)


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
    # GSI1 T#{tenant}#U#{user}#ET#{type} / {occurred_at}#{event_id}: the user's events of a type
    # by time, for explain (absent on events stored before it).
    GSI1PK = UnicodeAttribute(null=True)
    GSI1SK = UnicodeAttribute(null=True)
    by_type = UserEventsIndex()


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
    read_at = UTCDateTimeAttribute(null=True)
    GSI1PK = UnicodeAttribute(null=True)  # keys.inbox_pk: its type and read state
    GSI1SK = UnicodeAttribute(null=True)  # its own sort key
    by_kind = InboxIndex()


class MessageIdItem(Item, discriminator="message_id"):
    """PK T#{tenant}#U#{user}, SK MSGID#{message_id}: where the message of that id is (its sort
    key holds its time), written with it in one transaction on the condition that neither exists:
    it makes the message once-only by id, and marking it read one GetItem."""

    message_sk = UnicodeAttribute()


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


class CustomBadgeItem(DocumentItem, discriminator="custom_badge"):
    """PK T#{tenant}#BADGES, SK BADGE#{badge_id}: a tenant's own badge (``doc``) and its status,
    which leaves ``pending`` once, under a condition. ``expires_at`` (the table's TTL) drops a
    badge whose uploads were never validated; validation clears it."""

    status = UnicodeAttribute()
    expires_at = TTLAttribute(null=True)


class TallyItem(Item, discriminator="tally"):
    """PK T#{tenant}#U#{user}, SK TALLY#USERS or TALLY#{achievement}#{scope}: what the user adds
    to the completion report's counts. ``active`` is how many of the user's active awards count
    here (always 1 for USERS); ``counted`` is, by slot (``*`` and ``G#{group}``), the
    organisation the user is counted under in that slot's completion item. Written under an
    optimistic lock on ``version``, in one transaction with the completion items it moves."""

    user_id = UnicodeAttribute()
    subject = UnicodeAttribute()
    active = NumberAttribute(default=0)
    counted = JSONAttribute(null=True)
    version = NumberAttribute(default=0)


class CountedAwardItem(Item, discriminator="counted_award"):
    """PK T#{tenant}#U#{user}, SK COUNTED#{scope}#AWD#...: whether an award is counted in its
    tally of ``scope`` (``counted``) or never again (``uncounted``: revoked), written with the
    tally's move: a redelivered stream record finds it and changes nothing."""

    state = UnicodeAttribute()


class CompletionItem(Item, discriminator="completion"):
    """PK T#{tenant}#RPT#{subject}#{slot}, SK {org_id}: how many users of the organisation (in
    the slot's group, or all for ``*``) the subject counts: USERS, or {achievement}#{scope}
    (distinct users holding an active award of it in that scope). Moved only by ADD, in the
    transactions that move the users' tallies."""

    org_id = UnicodeAttribute()
    total = NumberAttribute(default=0)


class AuditItem(Item, discriminator="audit"):
    """PK T#{tenant}#AUDIT, SK AUDIT#{at}#{action}#{write}: one audited write (domain.audit),
    put once under a key made from its stamp (``audit.audit_item``); removed by the table's TTL
    (``expires_at``) after the retention. Newest first is a query of the partition in reverse."""

    at = UTCDateTimeAttribute()
    actor_id = UnicodeAttribute()
    action = UnicodeAttribute()
    target_ids = UnicodeSetAttribute(null=True)
    entry = JSONAttribute()
    expires_at = NumberAttribute()


# The attributes an audit entry leaves out of an item's before and after: its keys, index keys,
# tenant and stamp are how and where it is stored, not what it holds.
NOT_CONTENT = frozenset(
    {"PK", "SK", "GSI1PK", "GSI1SK", "LBPK", "LBSK", "audit", "entity", "tenant_id"}
)


def _plain(value: Any) -> Any:
    if isinstance(value, bytes):  # a sealed key, a status list: its size, never its bytes
        return f"<{len(value)} bytes>"
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, set | frozenset):
        return sorted(_plain(v) for v in value)
    return value


def plain(item: Item) -> dict[str, Any]:
    """What an item holds, as JSON values (its documents parsed), without its keys or stamp."""
    return {
        name: _plain(value)
        for name, value in item.attribute_values.items()
        if name not in NOT_CONTENT and value is not None
    }


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
    MessageIdItem,
    CourseTemplateItem,
    CourseEventItem,
    LearningPathItem,
    EnrollmentItem,
    CompletedCoursesItem,
    SequenceItem,
    IdentifierItem,
    CustomBadgeItem,
    TallyItem,
    CountedAwardItem,
    CompletionItem,
    AuditItem,
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


# ---------------------------------------------------------------- Open Badges 3.0 credentials


class IssuerKeyItem(Item, discriminator="issuer_key"):
    """PK T#{tenant}#ISSUER, SK KEY#{key_id}: a signing key of the tenant, kept after rotation
    (its public part stays in the JWKS). The private key is sealed by KMS, never in the clear.
    The active key is a copy under SK ACTIVE_KEY, replaced on the condition that it is still the
    one read (or absent)."""

    key_id = UnicodeAttribute()
    public_jwk = JSONAttribute()
    sealed = BinaryAttribute(legacy_encoding=False)
    created_at = UTCDateTimeAttribute()


class StatusCounterItem(Item, discriminator="status_counter"):
    """PK T#{tenant}#ISSUER, SK STATUS_COUNTER: the next free status list entry, moved on the
    condition that it is still the one read, in the transaction that gives it to a credential."""

    next_index = NumberAttribute()


class StatusListItem(Item, discriminator="status_list"):
    """PK T#{tenant}#ISSUER, SK STATUS#{number}: the revoked bits of one status list (131,072
    entries, 16 KiB), rewritten under an optimistic lock on ``version``."""

    bits = BinaryAttribute(legacy_encoding=False)
    version = NumberAttribute()


class CredentialRecordItem(Item, discriminator="credential_record"):
    """PK T#{tenant}#U#{user}, SK CRED#{achievement}#{period}#{level}: an award's credential id,
    subject id, salt and status entry, written once with the status counter's move."""

    award_id = UnicodeAttribute()
    credential_id = UnicodeAttribute()
    subject_id = UnicodeAttribute()
    salt = UnicodeAttribute()
    status_index = NumberAttribute()
    issued_at = UTCDateTimeAttribute()


ENTITY_MODELS = (
    *ENTITY_MODELS,
    IssuerKeyItem,
    StatusCounterItem,
    StatusListItem,
    CredentialRecordItem,
)


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
