"""The completion report's counts, kept on write so that reading the report scans nothing.

Each user has a tally per subject (USERS; an achievement in a scope: all time, or one period)
saying how many of their active awards count there and under which organisation each slot (all
users ``*``, or one group) counts them. A change moves the tally and the organisations' counts
(ADD) in one transaction, locked on the tally's version; a tally first counted under the
profile's organisation also checks that the profile is still the one read (``org_rev``), so a
racing move cannot leave a count under the old organisation. Each award's marker makes counting
it once-only: a redelivered stream record finds the marker and changes nothing.

Written by hand: no library keeps aggregates of a single table; DynamoDB's transactions are the
tool (the grant's own transaction could not take them: a user has up to 50 groups).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from pynamodb.exceptions import DoesNotExist
from pynamodb.expressions.condition import Condition

from accolade.adapters.dynamo import keys
from accolade.adapters.dynamo.models import (
    CompletionItem,
    CountedAwardItem,
    TallyItem,
    UserItem,
)
from accolade.adapters.dynamo.transact import Transaction, backoff, commit
from accolade.domain.models import Award, AwardStatus
from accolade.domain.periods import ALL_TIME_KEY, is_period_key
from accolade.ports import CompletionQuery, OrgCompletion, Page

# Each slot moved is two completion items; with the tally, the marker and the profile check a
# transaction stays under DynamoDB's 100 items. A move of 51 slots (an organisation and 50
# groups) takes two.
SLOTS_PER_TRANSACTION = 45
ATTEMPTS = 30  # racing writers of one user's tally retry; each round one of them wins
COUNTED, UNCOUNTED = "counted", "uncounted"


class _Profile(NamedTuple):
    slots: dict[str, str]  # the organisation each slot counts the user under now
    rev: int | None

    def unchanged(self) -> Condition:
        # A missing profile (or one written before org_rev) has no org_rev either.
        return UserItem.org_rev == self.rev if self.rev else UserItem.org_rev.does_not_exist()


def _slots(org_id: str | None, groups: Any) -> dict[str, str]:
    """Users without an organisation are in no organisation's counts."""
    if not org_id:
        return {}
    return {keys.ALL_SLOT: org_id} | {keys.group_slot(g): org_id for g in groups or ()}


def _profile(tenant_id: str, user_id: str) -> _Profile:
    try:
        item = UserItem.get(keys.user_pk(tenant_id, user_id), keys.PROFILE, consistent_read=True)
    except DoesNotExist:
        return _Profile({}, None)
    doc = item.doc or {}
    rev = int(item.org_rev) if item.org_rev is not None else None
    return _Profile(_slots(doc.get("org_id"), doc.get("groups")), rev)


def _tally(tenant_id: str, user_id: str, subject: str) -> tuple[int, dict[str, str], int]:
    try:
        item = TallyItem.get(
            keys.user_pk(tenant_id, user_id), keys.tally_sk(subject), consistent_read=True
        )
    except DoesNotExist:
        return 0, {}, 0
    return int(item.active), dict(item.counted or {}), int(item.version)


def _move(
    tenant_id: str, subject: str, slot: str, org_id: str, by: int
) -> tuple[CompletionItem, list[Any]]:
    return CompletionItem(keys.completion_pk(tenant_id, subject, slot), org_id), [
        CompletionItem.entity.set(CompletionItem),
        CompletionItem.tenant_id.set(tenant_id),
        CompletionItem.org_id.set(org_id),
        CompletionItem.total.add(by),
    ]


Marker = Callable[[Transaction], None]


def _settle(
    tenant_id: str,
    user_id: str,
    subject: str,
    *,
    delta: int = 0,
    marker: Marker | None = None,
    always_one: bool = False,
) -> bool:
    """Move the user's tally of ``subject`` by ``delta`` (with ``marker``'s write, once) and its
    slots to the profile's organisation and groups; False when ``marker``'s condition failed
    (counted already: nothing written)."""
    for attempt in range(ATTEMPTS):
        active, counted, version = _tally(tenant_id, user_id, subject)
        profile = _profile(tenant_id, user_id)
        after_active = 1 if always_one else active + delta
        desired = profile.slots if after_active > 0 else {}
        moving = sorted(
            s for s in counted.keys() | desired.keys() if counted.get(s) != desired.get(s)
        )
        if not moving and marker is None and after_active == active:
            return True
        chunk = moving[:SLOTS_PER_TRANSACTION]
        after = dict(counted)
        transaction = Transaction()
        for slot in chunk:
            if slot in counted:
                transaction.update(
                    ("from", slot), *_move(tenant_id, subject, slot, counted[slot], -1)
                )
                del after[slot]
            if slot in desired:
                transaction.update(("to", slot), *_move(tenant_id, subject, slot, desired[slot], 1))
                after[slot] = desired[slot]
        if any(slot in desired for slot in chunk):
            transaction.check(
                "profile",
                UserItem(keys.user_pk(tenant_id, user_id), keys.PROFILE),
                profile.unchanged(),
            )
        transaction.update(
            "tally",
            TallyItem(keys.user_pk(tenant_id, user_id), keys.tally_sk(subject)),
            [
                TallyItem.entity.set(TallyItem),
                TallyItem.tenant_id.set(tenant_id),
                TallyItem.user_id.set(user_id),
                TallyItem.subject.set(subject),
                TallyItem.active.set(after_active),
                TallyItem.counted.set(after),
                TallyItem.version.set(version + 1),
            ],
            TallyItem.version == version if version else TallyItem.PK.does_not_exist(),
        )
        if marker is not None:
            marker(transaction)
        cancelled = commit(transaction)
        if cancelled is None:
            if len(moving) <= len(chunk):
                return True
            marker, delta = None, 0  # applied: the rest of the slots follow
            continue
        if "marker" in cancelled.failed_conditions:
            return False
        backoff(min(attempt, 4))
    raise RuntimeError(f"the completion tally {subject} of {user_id}: too many conflicts")


def _marker_key(tenant_id: str, scope: str, award: Award) -> CountedAwardItem:
    return CountedAwardItem(
        keys.user_pk(tenant_id, award.user_id), keys.counted_award_sk(scope, award.key)
    )


def _marker_state(tenant_id: str, scope: str, award: Award) -> str | None:
    key = _marker_key(tenant_id, scope, award)
    try:
        return str(CountedAwardItem.get(key.PK, key.SK, consistent_read=True).state)
    except DoesNotExist:
        return None


def _put_marker(tenant_id: str, scope: str, award: Award, state: str) -> Marker:
    def put(transaction: Transaction) -> None:
        item = _marker_key(tenant_id, scope, award)
        item.tenant_id, item.state = tenant_id, state
        transaction.put("marker", item, CountedAwardItem.PK.does_not_exist())

    return put


def _uncount_marker(tenant_id: str, scope: str, award: Award) -> Marker:
    def uncount(transaction: Transaction) -> None:
        transaction.update(
            "marker",
            _marker_key(tenant_id, scope, award),
            [CountedAwardItem.state.set(UNCOUNTED)],
            CountedAwardItem.state == COUNTED,
        )

    return uncount


class DynamoCompletionRepository:
    def count_award(self, tenant_id: str, award: Award) -> None:
        # All time, and the award's period when it has one (a repeatable award's key is its
        # event's: counted in all time only).
        scopes = [ALL_TIME_KEY] + ([award.period_key] if is_period_key(award.period_key) else [])
        for scope in scopes:
            subject = keys.achievement_subject(award.achievement_id, scope)
            for _ in range(ATTEMPTS):
                if self._count_once(tenant_id, award, scope, subject):
                    break

    @staticmethod
    def _count_once(tenant_id: str, award: Award, scope: str, subject: str) -> bool:
        """One try; False when a racing writer of the marker won (read it again)."""
        state = _marker_state(tenant_id, scope, award)
        user_id = award.user_id
        if award.status is AwardStatus.ACTIVE:
            if state is not None:
                return True  # counted already, or revoked since: a redelivered grant
            marker = _put_marker(tenant_id, scope, award, COUNTED)
            return _settle(tenant_id, user_id, subject, delta=1, marker=marker)
        if award.status is not AwardStatus.REVOKED or state == UNCOUNTED:
            return True
        if state is None:
            # Revoked before its grant was counted: never count it (a late grant record).
            marker = _put_marker(tenant_id, scope, award, UNCOUNTED)
            return _settle(tenant_id, user_id, subject, marker=marker)
        marker = _uncount_marker(tenant_id, scope, award)
        return _settle(tenant_id, user_id, subject, delta=-1, marker=marker)

    def reconcile_user(self, tenant_id: str, user_id: str) -> None:
        _settle(tenant_id, user_id, keys.USERS_SUBJECT, always_one=True)
        tallies = TallyItem.query(
            keys.user_pk(tenant_id, user_id),
            TallyItem.SK.startswith(keys.TALLY_PREFIX),
            consistent_read=True,
        )
        for subject in [t.subject for t in tallies if t.subject != keys.USERS_SUBJECT]:
            _settle(tenant_id, user_id, subject)

    def completion(self, tenant_id: str, query: CompletionQuery) -> Page[OrgCompletion]:
        slot = keys.group_slot(query.group)
        users_pk = keys.completion_pk(tenant_id, keys.USERS_SUBJECT, slot)
        limit = query.limit
        # Organisations whose users all left keep an item at 0: filtered out, so a page reads
        # at most every organisation the tenant ever had, never a user.
        found = list(
            CompletionItem.query(
                users_pk,
                filter_condition=CompletionItem.total > 0,
                limit=limit + 1,
                page_size=limit + 1,
                last_evaluated_key=keys.page_start(users_pk, "", query.after),
            )
        )
        page = found[:limit]
        earned_pk = keys.completion_pk(
            tenant_id, keys.achievement_subject(query.achievement_id, query.scope), slot
        )
        earned = {
            item.org_id: int(item.total)
            for item in CompletionItem.batch_get([(earned_pk, item.org_id) for item in page])
        }
        rows = [OrgCompletion(i.org_id, int(i.total), earned.get(i.org_id, 0)) for i in page]
        return Page(rows, page[-1].SK if len(found) > limit else None)
