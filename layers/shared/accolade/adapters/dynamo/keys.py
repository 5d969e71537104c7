"""Every key format of the single table (and of the documents bucket), in one place. Every key
starts with the tenant.

| entity      | PK                     | SK                              | index keys                          |
|-------------|------------------------|---------------------------------|-------------------------------------|
| settings    | T#{tenant}             | SETTINGS                        | GSI1: TENANT_SETTINGS / {tenant}    |
| metric      | T#{tenant}             | METRIC#{metric_id}              |                                     |
| metrics rev | T#{tenant}             | METRICS                         |                                     |
| achievement | T#{tenant}             | ACH#{achievement_id}            | GSI1 (period_top only): PERIOD_TOP / {tenant}#{achievement} |
| winner slot | T#{tenant}#WIN         | {achievement}#{period}          |                                     |
| user        | T#{tenant}#U#{user}    | PROFILE                         |                                     |
| goals       | T#{tenant}#U#{user}    | GOALS                           |                                     |
| event       | T#{tenant}#U#{user}    | EVT#{event_id}                  | GSI1: T#{t}#U#{u}#ET#{type} / {occurred_at}#{event_id} |
| counter     | T#{tenant}#U#{user}    | CNT#{metric_id}#{period_key}    | Leaderboard: LBPK=T#{t}#LB#{m}#{p}, LBSK=rules.standing_order (ranked periods only) |
| award       | T#{tenant}#U#{user}    | AWD#{achievement}#{period}#{lv} | GSI1: T#{t}#ACH#{a} / {awarded_at}#{user}; Leaderboard (expiring, not yet told): LBPK=T#{t}#EXP#{yyyy-mm}, LBSK={valid_until} |
| expiring tenant | T#{tenant}#EXPIRY  | TENANT                          | GSI1: EXPIRING_TENANTS / {tenant}   |
| summary     | T#{tenant}#U#{user}    | SUM#{achievement}               |                                     |
| wallet      | T#{tenant}#U#{user}    | WALLET                          |                                     |
| ledger      | T#{tenant}#U#{user}    | LEDGER#{sequence:012d}          |                                     |
| message     | T#{tenant}#U#{user}    | MSG#{created_at}#{message_id}   |                                     |
| counts      | T#{tenant}             | COUNTS                          |                                     |
| project     | T#{tenant}#PRJ#{project} | PROJECT                       |                                     |
| course tmpl | T#{tenant}#CT#{template} | COURSE_TEMPLATE               |                                     |
| course evt  | T#{tenant}#CE#{event}  | COURSE_EVENT                    |                                     |
| path        | T#{tenant}#LP          | PATH#{path}                     |                                     |
| enrolment   | T#{tenant}#U#{user}    | ENR#{course_event}              | GSI1: T#{t}#CE#{event} / {user}     |
| completed   | T#{tenant}#U#{user}    | COURSES                         |                                     |
| sequence    | T#{tenant}#SEQ#{sequence} | SEQUENCE                     |                                     |
| identifier  | T#{tenant}#IDENT#{identifier} | IDENTIFIER               |                                     |
| custom badge | T#{tenant}#BADGES     | BADGE#{badge_id}                |                                     |
| audit entry | T#{tenant}#AUDIT       | AUDIT#{at}#{action_id}#{write:05d} |                                  |

A sequence has a partition of its own (a hot item: each numbered award's transaction moves it);
an identifier's item says which award holds it, for the public verification by identifier.

A project has a partition of its own: written once when registered and once per achievement
whose first activity it records, read by key (GetItem / BatchGetItem) by the evaluator.

A user's events share the user's partition: DynamoDB Streams keeps one partition's records in
order in one shard, so the evaluator sees each user's events in the order they were stored, which
the counters' applied positions rely on (``progress.py``).

Lists page by sort key: a cursor carries the last sort key of a page, never a partition key, and
``page_start`` rebuilds the start key on the server after checking the sort key's prefix.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from accolade.domain.errors import InvalidCursorError
from accolade.domain.models import AwardKey, CounterKey, Slot

SETTINGS = "SETTINGS"
PROFILE = "PROFILE"
GOALS = "GOALS"  # every goal of a user, in one item
WALLET = "WALLET"
METRICS_REVISION = "METRICS"
COUNTS = "COUNTS"
PROJECT = "PROJECT"
COURSE_TEMPLATE = "COURSE_TEMPLATE"
COURSE_EVENT = "COURSE_EVENT"
COMPLETED_COURSES = "COURSES"
PATH_PREFIX = "PATH#"
ENROLLMENT_PREFIX = "ENR#"
SEQUENCE = "SEQUENCE"
IDENTIFIER = "IDENTIFIER"
MAX_SORT_KEY_BYTES = 1024  # DynamoDB's limit; a longer start key is a ValidationException
METRIC_PREFIX = "METRIC#"
ACHIEVEMENT_PREFIX = "ACH#"
COUNTER_PREFIX = "CNT#"
EVENT_PREFIX = "EVT#"
AWARD_PREFIX = "AWD#"
SUMMARY_PREFIX = "SUM#"
LEDGER_PREFIX = "LEDGER#"
MESSAGE_PREFIX = "MSG#"


def tenant_pk(tenant_id: str, *rest: str) -> str:
    """``T#{tenant}``, then ``#{part}`` for each of ``rest``: every partition starts so."""
    return "#".join(("T", tenant_id, *rest))


def _partition(code: str) -> Callable[[str, str], str]:
    """The partition of one item (or index entry) of a kind: ``T#{tenant}#{code}#{id}``."""
    return lambda tenant_id, item_id: tenant_pk(tenant_id, code, item_id)


user_pk = _partition("U")
project_pk = _partition("PRJ")
course_template_pk = _partition("CT")
course_event_pk = _partition("CE")
# GSI1 partition of a course event's enrolments, named as the course event (an index key: no
# table item has it).
course_learners_pk = course_event_pk
sequence_pk = _partition("SEQ")
identifier_pk = _partition("IDENT")


def paths_pk(tenant_id: str) -> str:
    return tenant_pk(tenant_id, "LP")


def leaderboard_pk(tenant_id: str, metric_id: str, period_key: str) -> str:
    return tenant_pk(tenant_id, "LB", metric_id, period_key)


def _prefixed(prefix: str) -> Callable[[str], str]:
    """A sort key made of its kind's prefix and the item's id."""
    return lambda item_id: f"{prefix}{item_id}"


event_sk = _prefixed(EVENT_PREFIX)
metric_sk = _prefixed(METRIC_PREFIX)
achievement_sk = _prefixed(ACHIEVEMENT_PREFIX)
summary_sk = _prefixed(SUMMARY_PREFIX)
path_sk = _prefixed(PATH_PREFIX)
enrollment_sk = _prefixed(ENROLLMENT_PREFIX)


def counter_sk(key: CounterKey) -> str:
    return f"{COUNTER_PREFIX}{key.metric_id}#{key.period_key}"


def award_sk(key: AwardKey) -> str:
    return f"{AWARD_PREFIX}{key.achievement_id}#{key.period_key}#{key.level}"


def awards_of_sk_prefix(achievement_id: str) -> str:
    """The sort-key prefix of a user's awards of one achievement."""
    return f"{AWARD_PREFIX}{achievement_id}#"


achievement_holders_pk = _partition("ACH")


def achievement_holders_sk(awarded_at: datetime, user_id: str) -> str:
    return f"{awarded_at.isoformat()}#{user_id}"


HOLDERS_CURSOR_SEPARATOR = "\n"  # in no id, no sort key: ids and keys are single-line


def holders_position(item: Any) -> str:
    """Where a page of holders stopped: the award's index sort key and table sort key (the
    user is in the index key, so the partition key follows)."""
    return f"{item.GSI1SK}{HOLDERS_CURSOR_SEPARATOR}{item.SK}"


def holders_page_start(
    tenant_id: str, holders_pk: str, after: str | None
) -> dict[str, dict[str, str]] | None:
    """The ExclusiveStartKey of a holders page that starts after ``after`` (from a cursor):
    only positions inside this achievement's holders and the tenant's award keys pass."""
    if after is None:
        return None
    index_sk, _, sk = after.partition(HOLDERS_CURSOR_SEPARATOR)
    _, _, user_id = index_sk.partition("#")
    start = page_start(user_pk(tenant_id, user_id), AWARD_PREFIX, sk)
    if not user_id or start is None or len(index_sk.encode()) > MAX_SORT_KEY_BYTES:
        raise InvalidCursorError("does not belong to this list")
    return start | {"GSI1PK": {"S": holders_pk}, "GSI1SK": {"S": index_sk}}


PERIOD_TOP_INDEX_PK = "PERIOD_TOP"  # cross-tenant keys: the winners job lists its work
TENANT_SETTINGS_INDEX_PK = "TENANT_SETTINGS"  # and when each tenant's periods close


def period_top_sk(tenant_id: str, achievement_id: str) -> str:
    return f"{tenant_id}#{achievement_id}"


def winner_slot_pk(tenant_id: str) -> str:
    # Outside the tenant's configuration partition, which evaluation reads on every batch:
    # one slot per winner achievement and period would make that read grow forever.
    return tenant_pk(tenant_id, "WIN")


def winner_slot_sk(slot: Slot) -> str:
    return f"{slot.achievement_id}#{slot.period_key}"


EXPIRING_TENANTS_INDEX_PK = "EXPIRING_TENANTS"  # cross-tenant: the expiry notices job's work
EXPIRING_TENANT_SK = "TENANT"


def expiring_tenant_pk(tenant_id: str) -> str:
    # A partition of its own: the configuration partition is read by every evaluation.
    return tenant_pk(tenant_id, "EXPIRY")


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")  # fixed width: text order


def expiry_pk(tenant_id: str, valid_until: datetime) -> str:
    """The expiry index partition of an award: its tenant and the month (UTC) it lapses in, so a
    window of up to 365 days is at most 13 queries, and no partition grows for ever."""
    return tenant_pk(tenant_id, "EXP", f"{valid_until.astimezone(UTC):%Y-%m}")


def expiry_sk(valid_until: datetime) -> str:
    return _stamp(valid_until)


def expiry_months(start: datetime, end: datetime) -> list[datetime]:
    """The first instant (UTC) of each month from ``start``'s to ``end``'s."""
    month = start.astimezone(UTC).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    last = end.astimezone(UTC)
    months = []
    while month <= last:
        months.append(month)
        month = month.replace(year=month.year + month.month // 12, month=month.month % 12 + 1)
    return months


def certificate_key(tenant_id: str, user_id: str, award_id: str) -> str:
    """The S3 key of an award's certificate (the documents bucket)."""
    return f"certificates/{tenant_id}/{user_id}/{award_id}.pdf"


def ledger_sk(sequence: int) -> str:
    return f"{LEDGER_PREFIX}{sequence:012d}"


def ledger_sequence(sk: str) -> int:
    """The sequence a ledger entry's sort key holds."""
    return int(sk.removeprefix(LEDGER_PREFIX))


def message_sk(created_at: datetime, message_id: str) -> str:
    """Time first, so a query of the inbox is newest first. ``created_at`` comes from what the
    message is about (an award's ``awarded_at``): the same message always has the same key, which
    keeps its once-only conditional put."""
    stamp = created_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")  # fixed width
    return f"{MESSAGE_PREFIX}{stamp}#{message_id}"


def page_start(pk: str, prefix: str, after: str | None) -> dict[str, dict[str, str]] | None:
    """The ExclusiveStartKey of a page that starts after sort key ``after`` in partition ``pk``.

    ``after`` comes back from a client (inside a cursor): only a sort key of the listed kind in
    the caller's own partition is accepted, so it can neither reach another partition nor make
    DynamoDB refuse the request.
    """
    if after is None:
        return None
    try:
        size = len(after.encode())
    except UnicodeEncodeError:
        size = MAX_SORT_KEY_BYTES + 1
    if not after.startswith(prefix) or size > MAX_SORT_KEY_BYTES:
        raise InvalidCursorError("does not belong to this list")
    return {"PK": {"S": pk}, "SK": {"S": after}}


def user_events_pk(tenant_id: str, user_id: str, event_type: str) -> str:
    """GSI1 partition of a user's events of one type (an index key: no table item has it)."""
    return tenant_pk(tenant_id, "U", user_id, "ET", event_type)


def user_events_sk(occurred_at: datetime, event_id: str = "") -> str:
    """Time first (UTC, fixed width), so a query of the partition is in time order; without
    ``event_id``, the bound of a window."""
    return f"{_stamp(occurred_at)}#{event_id}"


# --- custom badges -----------------------------------------------------------------------------
# Every custom badge of a tenant in one partition of its own (listed by one query, never hot: an
# admin writes it). In the badges bucket an image is uploaded under uploads/ (expired by the
# bucket's lifecycle when abandoned) and copied under badges/ once validated.
BADGE_PREFIX = "BADGE#"
badge_sk = _prefixed(BADGE_PREFIX)


def badges_pk(tenant_id: str) -> str:
    return tenant_pk(tenant_id, "BADGES")


def badge_upload_key(tenant_id: str, badge_id: str, level: int) -> str:
    """Where the upload link of one image of a custom badge puts it."""
    return f"uploads/{tenant_id}/{badge_id}/{level}"


def badge_image_key(tenant_id: str, badge_id: str, level: int) -> str:
    """Where a validated image of a custom badge is kept (and linked from)."""
    return f"badges/{tenant_id}/{badge_id}/{level}"


# ---------------------------------------------------------------- Open Badges 3.0 credentials
# | issuer keys  | T#{tenant}#ISSUER      | KEY#{key_id} (sortable by creation) |
# | active key   | T#{tenant}#ISSUER      | ACTIVE_KEY (a copy of the active key, one read) |
# | status index | T#{tenant}#ISSUER      | STATUS_COUNTER (the next free status list entry) |
# | status list  | T#{tenant}#ISSUER      | STATUS#{number:06d} (the revoked bits, 16 KiB) |
# | credential   | T#{tenant}#U#{user}    | CRED#{achievement}#{period}#{level} (beside its award) |
ISSUER_KEY_PREFIX = "KEY#"
ACTIVE_ISSUER_KEY = "ACTIVE_KEY"
STATUS_COUNTER = "STATUS_COUNTER"
CREDENTIAL_PREFIX = "CRED#"


def issuer_pk(tenant_id: str) -> str:
    return tenant_pk(tenant_id, "ISSUER")


def issuer_key_sk(key_id: str) -> str:
    return ISSUER_KEY_PREFIX + key_id


def status_list_sk(number: int) -> str:
    return f"STATUS#{number:06d}"


def credential_sk(key: AwardKey) -> str:
    """The credential record of an award: its award's sort key under another prefix."""
    return CREDENTIAL_PREFIX + award_sk(key).removeprefix(AWARD_PREFIX)


# The inbox by kind and read state (GSI1 on message items): a filtered page of the inbox is a
# Query of one to three of these partitions, whatever the user's other messages.
MESSAGE_ID_PREFIX = "MSGID#"  # a message's id -> its sort key (its time is in the key)
INBOX_UNREAD = "UNREAD"
INBOX_READ = "READ"


def message_id_sk(message_id: str) -> str:
    return f"{MESSAGE_ID_PREFIX}{message_id}"


def inbox_pk(tenant_id: str, user_id: str, message_type: str, state: str) -> str:
    """GSI1 partition of a user's messages of one type in one read state; its sort key is the
    message's own (``message_sk``)."""
    return f"{user_pk(tenant_id, user_id)}#INBOX#{state}#{message_type}"


def inbox_position(after: str | None) -> str | None:
    """A filtered inbox page's start (from a cursor): a message sort key, checked as
    ``page_start`` checks one."""
    if after is None:
        return None
    page_start("", MESSAGE_PREFIX, after)
    return after


# The completion report: per-user tallies and per-organisation counts, kept on write.
TALLY_PREFIX = "TALLY#"
USERS_SUBJECT = "USERS"
ALL_SLOT = "*"  # every user of the organisation; a group's slot is G#{group}


def group_slot(group: str | None) -> str:
    return f"G#{group}" if group else ALL_SLOT


def achievement_subject(achievement_id: str, scope: str) -> str:
    """What a tally of an achievement counts: its awards in ``scope`` (a period key, or ALL)."""
    return f"{achievement_id}#{scope}"


def tally_sk(subject: str) -> str:
    return f"{TALLY_PREFIX}{subject}"


def counted_award_sk(scope: str, key: AwardKey) -> str:
    return f"COUNTED#{scope}#{award_sk(key)}"


def completion_pk(tenant_id: str, subject: str, slot: str) -> str:
    return tenant_pk(tenant_id, "RPT", subject, slot)


AUDIT_PREFIX = "AUDIT#"


def audit_pk(tenant_id: str) -> str:
    """The tenant's audit log, one partition (admin actions are few: far below a partition's
    1,000 writes a second), read newest first."""
    return tenant_pk(tenant_id, "AUDIT")


audit_sk = _prefixed(AUDIT_PREFIX)


# Exports: PK T#{tenant}#EXPORTS, SK EXPORT#{export_id} (ids start with their time, so a query
# of the partition lists them newest first backwards). A partition of its own: the
# configuration partition is read by every evaluation. The CSV is in the documents bucket.
EXPORT_PREFIX = "EXPORT#"
export_sk = _prefixed(EXPORT_PREFIX)


def exports_pk(tenant_id: str) -> str:
    return tenant_pk(tenant_id, "EXPORTS")


def export_key(tenant_id: str, export_id: str) -> tuple[str, str]:
    """The (PK, SK) of an export's item."""
    return exports_pk(tenant_id), export_sk(export_id)


def export_object_key(tenant_id: str, export_id: str) -> str:
    """The S3 key of an export's CSV (the documents bucket): one per export, rewritten whole by
    a retried job, never a second file."""
    return f"exports/{tenant_id}/{export_id}.csv"


def holders_bounds(start: datetime | None, end: datetime | None) -> tuple[str | None, str | None]:
    """The GSI1SK bounds (inclusive; None: open) of an achievement's holders awarded from
    ``start`` to ``end``: the sort key is ``{awarded_at.isoformat()}#{user}`` with ``awarded_at``
    in UTC, and "$" follows "#"."""
    low = start.astimezone(UTC).isoformat() if start else None
    high = f"{end.astimezone(UTC).isoformat()}$" if end else None
    return low, high
