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

from collections.abc import Callable, Collection, Hashable, Mapping
from typing import Any, NamedTuple

from pynamodb.expressions.condition import Condition

from accolade.adapters.dynamo import keys
from accolade.adapters.dynamo.models import (
    CompletionItem,
    CountedAwardItem,
    Item,
    TallyItem,
    UserItem,
)
from accolade.adapters.dynamo.transact import MAX_ITEMS, Cancelled, Transaction, backoff, commit
from accolade.domain.models import Award, AwardStatus
from accolade.domain.periods import ALL_TIME_KEY, is_period_key
from accolade.ports import CompletionQuery, OrgCompletion, Page

# Each slot moved is two completion items; with the tally, the marker and the profile check a
# transaction stays under DynamoDB's 100 items. A move of 51 slots (an organisation and 50
# groups) takes two.
SLOTS_PER_TRANSACTION = 45
ATTEMPTS = 30  # racing writers of one user's tally retry; each round one of them wins
COUNTED, UNCOUNTED = "counted", "uncounted"
MARKER = "marker"  # labels ("marker", scope): the award's marker of a scope


class _Profile(NamedTuple):
    slots: dict[str, str]  # the organisation each slot counts the user under now
    rev: int | None

    def unchanged(self) -> Condition:
        # A missing profile (or one written before org_rev) has no org_rev either.
        return UserItem.org_rev == self.rev if self.rev else UserItem.org_rev.does_not_exist()


# A tally's active awards, organisation by slot and version (0: no tally item yet).
_Tally = tuple[int, dict[str, str], int]


class _Read(NamedTuple):
    """What one attempt reads of a user: the profile, the tallies by subject, the markers'
    states by scope."""

    profile: _Profile
    tallies: dict[str, _Tally]
    states: dict[str, str]


def _slots(org_id: str | None, groups: Any) -> dict[str, str]:
    """Users without an organisation are in no organisation's counts."""
    if not org_id:
        return {}
    return {keys.ALL_SLOT: org_id} | {keys.group_slot(g): org_id for g in groups or ()}


def _profile_of(item: UserItem | None) -> _Profile:
    if item is None:
        return _Profile({}, None)
    doc = item.doc or {}
    rev = int(item.org_rev) if item.org_rev is not None else None
    return _Profile(_slots(doc.get("org_id"), doc.get("groups")), rev)


def _read(
    tenant_id: str,
    user_id: str,
    subjects: Collection[str],
    markers: Mapping[str, CountedAwardItem] | None = None,
) -> _Read:
    """The profile, the tallies of ``subjects`` and the states of ``markers`` (by scope), in one
    consistent BatchGetItem (items of three classes: ``Item`` reads each as its own)."""
    pk = keys.user_pk(tenant_id, user_id)
    markers = markers or {}
    wanted = [
        (pk, keys.PROFILE),
        *((pk, keys.tally_sk(subject)) for subject in subjects),
        *((marker.PK, marker.SK) for marker in markers.values()),
    ]
    found = {(item.PK, item.SK): item for item in Item.batch_get(wanted, consistent_read=True)}
    profile = found.get((pk, keys.PROFILE))
    tallies: dict[str, _Tally] = {}
    for subject in subjects:
        item = found.get((pk, keys.tally_sk(subject)))
        tallies[subject] = (
            (int(item.active), dict(item.counted or {}), int(item.version))
            if isinstance(item, TallyItem)
            else (0, {}, 0)
        )
    states = {}
    for scope, marker in markers.items():
        item = found.get((marker.PK, marker.SK))
        if isinstance(item, CountedAwardItem):
            states[scope] = str(item.state)
    return _Read(_profile_of(profile if isinstance(profile, UserItem) else None), tallies, states)


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


class _Step(NamedTuple):
    """One transaction's share of settling a tally: its items but the profile check, which a
    transaction holds once (DynamoDB rejects two operations on one item)."""

    transaction: Transaction
    checks_profile: bool  # the profile must be unchanged: a slot moves to it
    last: bool  # every slot moved: the tally is settled once this commits


def _step(
    tenant_id: str,
    user_id: str,
    subject: str,
    tally: _Tally,
    profile: _Profile,
    *,
    delta: int = 0,
    marker: Marker | None = None,
    always_one: bool = False,
) -> _Step | None:
    """Move the tally of ``subject`` by ``delta`` (with ``marker``'s write) and up to
    SLOTS_PER_TRANSACTION of its slots to the profile's organisation and groups; None when
    there is nothing to write."""
    active, counted, version = tally
    after_active = 1 if always_one else active + delta
    desired = profile.slots if after_active > 0 else {}
    moving = sorted(s for s in counted.keys() | desired.keys() if counted.get(s) != desired.get(s))
    if not moving and marker is None and after_active == active:
        return None
    chunk = moving[:SLOTS_PER_TRANSACTION]
    after = dict(counted)
    transaction = Transaction()
    for slot in chunk:
        if slot in counted:
            transaction.update(
                (subject, "from", slot), *_move(tenant_id, subject, slot, counted[slot], -1)
            )
            del after[slot]
        if slot in desired:
            transaction.update(
                (subject, "to", slot), *_move(tenant_id, subject, slot, desired[slot], 1)
            )
            after[slot] = desired[slot]
    transaction.update(
        (subject, "tally"),
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
    checks_profile = any(slot in desired for slot in chunk)
    return _Step(transaction, checks_profile, len(moving) <= len(chunk))


def _commit(
    tenant_id: str, user_id: str, steps: list[_Step], profile: _Profile
) -> Cancelled | None:
    transaction = Transaction()
    for step in steps:
        transaction.extend(step.transaction)
    if any(step.checks_profile for step in steps):
        transaction.check(
            "profile",
            UserItem(keys.user_pk(tenant_id, user_id), keys.PROFILE),
            profile.unchanged(),
        )
    return commit(transaction)


def _size(steps: Collection[_Step]) -> int:
    return sum(len(step.transaction) for step in steps) + any(s.checks_profile for s in steps)


def _settle(tenant_id: str, user_id: str, subject: str, *, always_one: bool = False) -> None:
    """Move the user's tally of ``subject``'s slots to the profile's organisation and groups."""
    for attempt in range(ATTEMPTS):
        profile, tallies, _ = _read(tenant_id, user_id, [subject])
        step = _step(tenant_id, user_id, subject, tallies[subject], profile, always_one=always_one)
        if step is None:
            return
        if _commit(tenant_id, user_id, [step], profile) is None:
            if step.last:
                return
            continue  # the rest of the slots follow
        backoff(min(attempt, 4))
    raise RuntimeError(f"the completion tally {subject} of {user_id}: too many conflicts")


def _marker_key(tenant_id: str, scope: str, award: Award) -> CountedAwardItem:
    return CountedAwardItem(
        keys.user_pk(tenant_id, award.user_id), keys.counted_award_sk(scope, award.key)
    )


def _put_marker(tenant_id: str, scope: str, award: Award, state: str) -> Marker:
    def put(transaction: Transaction) -> None:
        item = _marker_key(tenant_id, scope, award)
        item.tenant_id, item.state = tenant_id, state
        transaction.put((MARKER, scope), item, CountedAwardItem.PK.does_not_exist())

    return put


def _uncount_marker(tenant_id: str, scope: str, award: Award) -> Marker:
    def uncount(transaction: Transaction) -> None:
        transaction.update(
            (MARKER, scope),
            _marker_key(tenant_id, scope, award),
            [CountedAwardItem.state.set(UNCOUNTED)],
            CountedAwardItem.state == COUNTED,
        )

    return uncount


def _change(
    tenant_id: str, scope: str, award: Award, state: str | None
) -> tuple[int, Marker] | None:
    """How counting ``award`` in ``scope`` moves its tally, with its marker's write; None when
    the marker's ``state`` says it is done."""
    if award.status is AwardStatus.ACTIVE:
        if state is not None:
            return None  # counted already, or revoked since: a redelivered grant
        return 1, _put_marker(tenant_id, scope, award, COUNTED)
    if award.status is not AwardStatus.REVOKED or state == UNCOUNTED:
        return None
    if state is None:
        # Revoked before its grant was counted: never count it (a late grant record).
        return 0, _put_marker(tenant_id, scope, award, UNCOUNTED)
    return -1, _uncount_marker(tenant_id, scope, award)


def _count_step(
    tenant_id: str,
    award: Award,
    scope: str,
    subject: str,
    read: _Read,
    *,
    marked: bool,
) -> _Step | None:
    """The next transaction's share of counting ``award`` in ``scope``; None when it is done.
    Once its marker is written (``marked``) the rest of a long move's slots follow without it."""
    profile, tallies, states = read
    if marked:
        return _step(tenant_id, award.user_id, subject, tallies[subject], profile)
    change = _change(tenant_id, scope, award, states.get(scope))
    if change is None:
        return None
    delta, marker = change
    return _step(
        tenant_id, award.user_id, subject, tallies[subject], profile, delta=delta, marker=marker
    )


class DynamoCompletionRepository:
    def count_award(self, tenant_id: str, award: Award) -> None:
        """Each attempt reads the markers and tallies of the scopes left and the profile in one
        BatchGetItem and writes the scopes in one transaction when they fit (else one each). A
        failed marker condition cancels the other scope's write with it: the next attempt reads
        the marker (that scope is done) and counts the other scope again."""
        # All time, and the award's period when it has one (a repeatable award's key is its
        # event's: counted in all time only).
        scopes = [ALL_TIME_KEY] + ([award.period_key] if is_period_key(award.period_key) else [])
        left = {scope: keys.achievement_subject(award.achievement_id, scope) for scope in scopes}
        marked: set[str] = set()  # scopes whose marker is written, with slots left to move
        conflicts = races = 0
        while left:
            unmarked = {s: _marker_key(tenant_id, s, award) for s in left if s not in marked}
            read = _read(tenant_id, award.user_id, list(left.values()), unmarked)
            steps: dict[str, _Step] = {}
            for scope, subject in list(left.items()):
                step = _count_step(tenant_id, award, scope, subject, read, marked=scope in marked)
                if step is None:
                    del left[scope]
                    marked.discard(scope)
                else:
                    steps[scope] = step
            if not steps:
                return
            together = _size(steps.values()) <= MAX_ITEMS
            failed: list[set[Hashable]] = []
            for group in [list(steps)] if together else [[scope] for scope in steps]:
                cancelled = _commit(
                    tenant_id, award.user_id, [steps[s] for s in group], read.profile
                )
                if cancelled is not None:
                    failed.append(cancelled.failed_conditions)
                    continue
                for scope in group:
                    if steps[scope].last:
                        del left[scope]
                    else:
                        marked.add(scope)
            if not failed:
                continue
            if any((MARKER, scope) in labels for labels in failed for scope in steps):
                races += 1  # no wait: the next read finds the marker
            else:
                conflicts += 1
                backoff(min(conflicts - 1, 4))
            if races > ATTEMPTS or conflicts > ATTEMPTS:
                raise RuntimeError(f"counting {award.key} of {award.user_id}: too many conflicts")

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
