"""The completion report against DynamoDB Local: counts kept on write match a brute-force count
of awards and profiles after grants, revokes and moves, under redelivered stream batches and
racing writers; a page costs the same reads for 10 users as for 1,000."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

import pytest

from accolade.adapters.dynamo import reports
from accolade.adapters.dynamo.keys import achievement_subject
from accolade.adapters.dynamo.models import Item
from accolade.domain.models import Award, AwardStatus, UserProfile
from accolade.domain.periods import ALL_TIME_KEY
from accolade.ports import CompletionQuery, OrgCompletion
from accolade.services import admin
from accolade_local.handlers import load_handler
from accolade_local.streams import match_any
from tests.integration.helpers import batch, event_award, hooked, invoke
from tests.integration.inbox_meter import metered
from tests.integration.loop import Loop

WEEKS = ("W2026-W47", "W2026-W48")


def closer_award(user_id: str, week: str, level: int) -> Award:
    return event_award(user_id, "closer", week, level)


def put_user(c: Any, tenant_id: str, user_id: str, org: str | None, *groups: str) -> None:
    profile = UserProfile(user_id=user_id, org_id=org, groups=groups)
    admin.put_user(tenant_id, profile, users=c.users, completion=c.completion)


def report(
    c: Any, tenant_id: str, scope: str = ALL_TIME_KEY, group: str | None = None
) -> dict[str, tuple[int, int]]:
    rows: list[OrgCompletion] = []
    after = None
    while True:
        page = c.completion.completion(
            tenant_id, CompletionQuery("closer", scope, group, limit=2, after=after)
        )
        rows += page.items
        if page.next is None:
            return {r.org_id: (r.users, r.earned) for r in rows}
        after = page.next


def brute_force(
    c: Any, tenant_id: str, users: list[str], scope: str = ALL_TIME_KEY, group: str | None = None
) -> dict[str, tuple[int, ...]]:
    counts: dict[str, list[int]] = {}
    profiles = c.users.get_users(tenant_id, users)
    for user_id in users:
        profile = profiles.get(user_id)
        if profile is None or not profile.org_id or (group and group not in profile.groups):
            continue
        held = [
            a
            for a in c.awards.user_awards(tenant_id, user_id)
            if a.status is AwardStatus.ACTIVE and scope in (ALL_TIME_KEY, a.period_key)
        ]
        row = counts.setdefault(profile.org_id, [0, 0])
        row[0] += 1
        row[1] += bool(held)
    return {org: tuple(row) for org, row in counts.items()}


def test_counts_match_a_brute_force_count_under_redelivery(loop: Loop) -> None:
    c, tenant_id = loop.container, loop.tenant_id
    loop.configure_closer()  # the achievement "closer"... by id below
    users = [f"u{n}" for n in range(8)]
    for n, user_id in enumerate(users):
        put_user(c, tenant_id, user_id, f"org-{n % 3}", *(["emea"] if n % 2 else []))
    given = {
        "u0": [("W2026-W47", 1), ("W2026-W47", 2), ("W2026-W48", 1)],
        "u1": [("W2026-W48", 1)],
        "u3": [("W2026-W47", 1)],
        "u4": [("W2026-W48", 1), ("W2026-W48", 2)],
    }
    for user_id, keys in given.items():
        c.awards.grant(tenant_id, user_id, [closer_award(user_id, w, lv) for w, lv in keys])
    (u4_first,) = [a for a in c.awards.user_awards(tenant_id, "u4") if a.level == 1]
    (u3_only,) = c.awards.user_awards(tenant_id, "u3")
    c.awards.revoke(tenant_id, u4_first, reason="typo", at=u4_first.awarded_at)
    c.awards.revoke(tenant_id, u3_only, reason="fraud", at=u3_only.awarded_at)
    records = loop.stream.records(
        tenant_id, entity="award", count=9, event_names=("INSERT", "MODIFY")
    )
    deliver = load_handler("deliver_messages")

    answers = [invoke(deliver, batch(records)) for _ in range(2)]
    answers += [invoke(deliver, batch(random.Random(7).sample(records, len(records))))]
    put_user(c, tenant_id, "u0", "org-9", "emea")  # moves with its awards
    put_user(c, tenant_id, "u1", "org-1")  # leaves the group
    put_user(c, tenant_id, "u2", None)  # leaves every organisation

    assert all(a == {"batchItemFailures": []} for a in answers)
    for scope in (ALL_TIME_KEY, *WEEKS):
        for group in (None, "emea"):
            assert report(c, tenant_id, scope, group) == brute_force(
                c, tenant_id, users, scope, group
            ), (scope, group)
    assert report(c, tenant_id)["org-9"] == (1, 1)
    assert report(c, tenant_id, "W2026-W48")["org-1"] == (3, 2)  # u1 and u4's level II


def test_racing_grants_revokes_and_moves_count_once(loop: Loop) -> None:
    c, tenant_id = loop.container, loop.tenant_id
    users = [f"r{n}" for n in range(4)]
    for user_id in users:
        put_user(c, tenant_id, user_id, "org-a", "g1")
    awards = [
        granted
        for user_id in users
        for granted in c.awards.grant(
            tenant_id, user_id, [closer_award(user_id, w, lv) for w in WEEKS for lv in (1, 2)]
        )
    ]
    revoked = [c.awards.revoke(tenant_id, a, reason="x", at=a.awarded_at) for a in awards[::3]]
    told = [*awards, *revoked] * 3
    random.Random(3).shuffle(told)
    moves = [("r0", "org-b", ("g2",)), ("r1", "org-b", ()), ("r0", "org-c", ("g1", "g2"))]

    def work(item: Any) -> None:
        if isinstance(item, tuple):
            put_user(c, tenant_id, item[0], item[1], *item[2])
        else:
            c.completion.count_award(tenant_id, item)

    jobs: list[Any] = told[:]
    for n, move in enumerate(moves):
        jobs.insert(5 + n * 7, move)
    # Revokes told before their grants: each marker makes the late grant count for nothing.
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(work, jobs))

    for scope in (ALL_TIME_KEY, *WEEKS):
        for group in (None, "g1", "g2"):
            assert report(c, tenant_id, scope, group) == brute_force(
                c, tenant_id, users, scope, group
            ), (scope, group)


def _population(c: Any, tenant_id: str, size: int) -> None:
    def one(n: int) -> None:
        user_id = f"p{n:04d}"
        put_user(c, tenant_id, user_id, f"org-{n % 5}", "sales")
        if n < 5 or n % 3 == 0:  # every organisation has holders, in both tenants
            (granted,) = c.awards.grant(tenant_id, user_id, [closer_award(user_id, WEEKS[0], 1)])
            c.completion.count_award(tenant_id, granted)

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(one, range(size)))


def test_a_page_costs_the_same_for_10_and_1000_users(accolade: Any) -> None:
    small, large = (
        "t-rpt-small-" + random.randbytes(4).hex(),
        "t-rpt-large-" + random.randbytes(4).hex(),
    )
    _population(accolade, small, 10)
    _population(accolade, large, 1000)
    costs = {}
    for tenant_id in (small, large):
        with metered() as meter:
            page = accolade.completion.completion(
                tenant_id, CompletionQuery("closer", ALL_TIME_KEY, "sales", limit=5)
            )
        costs[tenant_id] = (meter.requests, meter.units, len(page.items))

    assert costs[small] == costs[large]
    assert costs[large][0] == 2  # one Query of the organisations, one BatchGetItem of counts
    assert sum(row.users for row in page.items) == 1000
    assert sum(row.earned for row in page.items) == 337
    print(f"completion page of 5 organisations: {costs[large][1]} RRU, 10 or 1,000 users")


def test_a_move_between_reading_the_profile_and_counting_is_not_lost(
    accolade: Any, tenant_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    put_user(accolade, tenant_id, "m1", "org-old")
    (award,) = accolade.awards.grant(tenant_id, "m1", [closer_award("m1", WEEKS[0], 1)])
    read = reports._read  # the profile, with the tallies and markers, in one BatchGetItem
    moved: list[bool] = []

    def read_then_move(*args: Any, **kwargs: Any) -> Any:
        profile = read(*args, **kwargs)
        if not moved:  # the first count read the old organisation; the user moves now
            moved.append(True)
            put_user(accolade, tenant_id, "m1", "org-new")
        return profile

    monkeypatch.setattr(reports, "_read", read_then_move)
    accolade.completion.count_award(tenant_id, award)

    assert moved
    assert report(accolade, tenant_id) == {"org-new": (1, 1)}
    assert report(accolade, tenant_id, WEEKS[0]) == {"org-new": (1, 1)}


def test_a_move_cut_short_by_a_crash_is_finished_by_the_profiles_stream_record(
    loop: Loop,
) -> None:
    c, tenant_id = loop.container, loop.tenant_id
    put_user(c, tenant_id, "k1", "org-old", "g1")
    (award,) = c.awards.grant(tenant_id, "k1", [closer_award("k1", WEEKS[0], 1)])
    c.completion.count_award(tenant_id, award)
    # The profile is written, then the API crashes before it moves the counts.
    c.users.put_user(tenant_id, UserProfile(user_id="k1", org_id="org-new", groups=("g2",)))
    stale = report(c, tenant_id)
    c.users.set_featured(tenant_id, "k1", award.award_id)  # a change that moves nothing
    records = loop.stream.records(
        tenant_id, entity="user", count=3, event_names=("INSERT", "MODIFY")
    )
    deliver = load_handler("deliver_messages")

    answers = [invoke(deliver, batch(records)) for _ in range(2)]

    assert stale == {"org-old": (1, 1)}
    assert all(match_any(loop.filters["DeliverMessagesFunction"], r) for r in records)
    assert all(a == {"batchItemFailures": []} for a in answers)
    assert report(c, tenant_id) == {"org-new": (1, 1)}
    assert report(c, tenant_id, group="g2") == {"org-new": (1, 1)}
    assert report(c, tenant_id, group="g1") == {}


@contextmanager
def dynamodb_calls() -> Iterator[Counter[str]]:
    """How many of each operation the table's connection sends inside the block."""
    calls: Counter[str] = Counter()
    client = Item._get_connection().connection.client

    def record(model: Any, **_: Any) -> None:
        calls[model.name] += 1

    with hooked(client, "after-call.dynamodb", record):
        yield calls


def test_counting_an_award_in_both_scopes_is_one_read_and_one_transaction(
    accolade: Any, tenant_id: str
) -> None:
    put_user(accolade, tenant_id, "c1", "org-a", "g1", "g2")
    (award,) = accolade.awards.grant(tenant_id, "c1", [closer_award("c1", WEEKS[0], 1)])

    with dynamodb_calls() as calls:
        accolade.completion.count_award(tenant_id, award)
    with dynamodb_calls() as again:
        accolade.completion.count_award(tenant_id, award)  # a redelivered record

    assert calls == {"BatchGetItem": 1, "TransactWriteItems": 1}
    assert again == {"BatchGetItem": 1}
    for scope in (ALL_TIME_KEY, WEEKS[0]):
        for group in (None, "g1", "g2"):
            assert report(accolade, tenant_id, scope, group) == {"org-a": (1, 1)}, (scope, group)


def test_a_marker_written_by_a_racing_writer_cancels_both_scopes_and_the_other_still_counts(
    accolade: Any, tenant_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    put_user(accolade, tenant_id, "c2", "org-a", "g1")
    (award,) = accolade.awards.grant(tenant_id, "c2", [closer_award("c2", WEEKS[0], 1)])
    week = achievement_subject(award.achievement_id, WEEKS[0])
    read = reports._read
    raced: list[bool] = []

    def read_then_race(*args: Any, **kwargs: Any) -> Any:
        found = read(*args, **kwargs)
        if not raced:  # another delivery counts the award in its week between read and commit
            raced.append(True)
            profile, tallies, _ = read(tenant_id, "c2", [week])
            marker = reports._put_marker(tenant_id, WEEKS[0], award, reports.COUNTED)
            step = reports._step(
                tenant_id, "c2", week, tallies[week], profile, delta=1, marker=marker
            )
            assert step is not None
            assert reports._commit(tenant_id, "c2", [step], profile) is None
        return found

    monkeypatch.setattr(reports, "_read", read_then_race)
    with dynamodb_calls() as calls:
        accolade.completion.count_award(tenant_id, award)

    assert raced
    # Ours cancelled on the week's marker, the racer's, then ours for all time alone.
    assert calls == {"BatchGetItem": 3, "TransactWriteItems": 3}
    for scope in (ALL_TIME_KEY, WEEKS[0]):
        for group in (None, "g1"):
            assert report(accolade, tenant_id, scope, group) == {"org-a": (1, 1)}, (scope, group)


def test_a_move_too_big_for_one_transaction_takes_one_per_scope(
    accolade: Any, tenant_id: str
) -> None:
    groups = [f"g{n:02d}" for n in range(50)]
    put_user(accolade, tenant_id, "c3", "org-a", *groups)
    first, second = accolade.awards.grant(
        tenant_id, "c3", [closer_award("c3", WEEKS[0], level) for level in (1, 2)]
    )
    with dynamodb_calls() as counted:
        accolade.completion.count_award(tenant_id, first)
    # The profile moves and the moves crash: the next count moves 51 slots, two items each.
    accolade.users.put_user(
        tenant_id, UserProfile(user_id="c3", org_id="org-b", groups=tuple(groups))
    )
    with dynamodb_calls() as moved:
        accolade.completion.count_award(tenant_id, second)
    with dynamodb_calls() as reconciled:
        accolade.completion.reconcile_user(tenant_id, "c3")  # the profile's stream record

    # 51 slots first counted, one item each: 45 + 45 in one transaction, then 6 + 6.
    assert counted == {"BatchGetItem": 2, "TransactWriteItems": 2}
    # Moved, two items each: 45 for each scope alone, then 6 + 6 together.
    assert moved == {"BatchGetItem": 2, "TransactWriteItems": 3}
    assert reconciled["TransactWriteItems"] == 2  # the users count; the award's are in place
    for scope in (ALL_TIME_KEY, WEEKS[0]):
        for group in (None, "g00", "g49"):
            assert report(accolade, tenant_id, scope, group) == {"org-b": (1, 1)}, (scope, group)
