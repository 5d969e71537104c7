"""Exactly-once evaluation under any mix of new events, resent events, redelivered stream batches
and concurrent evaluators, checked against DynamoDB Local after every step (Hypothesis)."""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from accolade.bootstrap import Container, inject
from accolade.domain.errors import ConflictError
from accolade.domain.limits import MAX_DECIMALS, MAX_MAGNITUDE, check_number
from accolade.domain.models import ActivityEvent
from accolade.services import awards
from accolade.services.ingest import record_events
from tests.reliability.harness import (
    CALL,
    CERTIFIED,
    DEAL,
    FULL,
    OTHER,
    PROJECT_CREATED,
    Delivery,
    StreamTap,
    Tally,
    base_monday,
    check_against,
    check_first_in_projects,
    configure_tenant,
    deliver_until_done,
    expected_state,
    load_handler,
    make_event,
    snapshot,
)

USERS = ("ana", "ben", "cho")
PROJECTS = ("apollo", "gemini")
KINDS = (DEAL, DEAL, DEAL, CERTIFIED, OTHER)
EXAMPLES = 120 if FULL else 15
STEPS = 25 if FULL else 10
pytestmark = pytest.mark.timeout(1800 if FULL else 300)


@dataclass
class World:
    """What the machine needs from the fixtures (Hypothesis builds machines itself)."""

    container: Container
    tap: StreamTap
    dynamodb: Any
    table: str
    handlers: tuple[Any, Any]
    totals: Counter[str]
    tally: Tally


WORLD: World | None = None


def _world() -> World:
    assert WORLD is not None
    return WORLD


class EvaluationMachine(RuleBasedStateMachine):
    @initialize()
    def new_tenant(self) -> None:
        world = _world()
        self.tenant = f"t-{uuid.uuid4().hex[:12]}"
        configure_tenant(world.container, self.tenant)
        self.monday = base_monday()
        self.sent: dict[str, ActivityEvent] = {}
        self.pending: list[dict[str, Any]] = []  # stream records never evaluated
        self.evaluated: list[list[dict[str, Any]]] = []  # batches already evaluated once
        self.applied: set[str] = set()
        self.gifts: dict[tuple[str, str, str, int], int] = {}  # awards given by hand
        self.revoked: set[str] = set()  # award ids
        world.totals["examples"] += 1

    # -- ingestion

    def _ingest(self, events: list[ActivityEvent]) -> list[str]:
        world = _world()
        result = record_events(
            self.tenant, events, store=world.container.events, clock=world.container.clock
        )
        new = [e.event_id for e in events if e.event_id not in self.sent]
        assert result.accepted == new
        assert sorted(result.duplicates) == sorted(
            e.event_id for e in events if e.event_id in self.sent
        )
        for event in events:
            self.sent.setdefault(event.event_id, event)
        if new:
            self.pending += world.tap.event_records(self.tenant, new)
        world.totals["events_sent"] += len(new)
        world.totals["duplicates_sent"] += len(result.duplicates)
        return new

    @rule(
        user=st.sampled_from(USERS),
        kind=st.sampled_from(KINDS),
        day=st.integers(0, 16),
        count=st.integers(1, 7),
        cents=st.integers(1, 500_000),
    )
    def send_new_events(self, user: str, kind: str, day: int, count: int, cents: int) -> None:
        at = self.monday + timedelta(days=day, minutes=count)
        value = Decimal(cents) / 100
        self._ingest([make_event(kind, user, at, value) for _ in range(count)])

    @rule(
        user=st.sampled_from(USERS),
        value=st.decimals(
            min_value=Decimal("0.000000001"), max_value=MAX_MAGNITUDE, places=MAX_DECIMALS
        ),
    )
    def send_extreme_values(self, user: str, value: Decimal) -> None:
        """Any value the API accepts (up to 1e15, 9 decimals) is stored and summed exactly."""
        check_number(value)
        self._ingest([make_event(DEAL, user, self.monday + timedelta(days=1), value)])

    @rule(
        user=st.sampled_from(USERS),
        project=st.sampled_from(PROJECTS),
        registration=st.booleans(),
        day=st.integers(0, 16),
    )
    def send_project_event(self, user: str, project: str, registration: bool, day: int) -> None:
        """A project registered (some before Trailblazer was enabled) or a call in it, in any
        order: the first call in a project created after the enable wins, once per project."""
        kind = PROJECT_CREATED if registration else CALL
        at = self.monday + timedelta(days=day, minutes=1)
        self._ingest([make_event(kind, user, at, project=project)])

    @precondition(lambda self: bool(self.sent))
    @rule(data=st.data(), offset_minutes=st.sampled_from([-720, -210, 60, 345, 840]))
    def resend_in_another_offset(self, data: st.DataObject, offset_minutes: int) -> None:
        """The same instant written in another offset is the same event: a duplicate."""
        event = self.sent[data.draw(st.sampled_from(sorted(self.sent)))]
        shifted = event.occurred_at.astimezone(timezone(timedelta(minutes=offset_minutes)))
        self._ingest([event.model_copy(update={"occurred_at": shifted})])

    @precondition(lambda self: bool(self.sent))
    @rule(data=st.data(), with_new=st.booleans())
    def resend_sent_events(self, data: st.DataObject, with_new: bool) -> None:
        ids = data.draw(st.lists(st.sampled_from(sorted(self.sent)), min_size=1, max_size=4))
        events = [self.sent[event_id] for event_id in ids]
        if with_new:
            events.append(make_event(DEAL, USERS[0], self.monday, Decimal(1)))
        self._ingest(events)

    # -- evaluation

    def _evaluate(self, records: list[dict[str, Any]], handler: Any) -> Delivery:
        tally = deliver_until_done(handler, records)
        _world().totals["invocations"] += tally.invocations
        return tally

    def _done(self, records: list[dict[str, Any]]) -> None:
        self.evaluated.append(records)
        self.applied |= {r["dynamodb"]["NewImage"]["event_id"]["S"] for r in records}

    @precondition(lambda self: bool(self.pending))
    @rule(data=st.data())
    def evaluate_new_batch(self, data: st.DataObject) -> None:
        size = data.draw(st.integers(1, len(self.pending)))
        batch, self.pending = self.pending[:size], self.pending[size:]
        self._evaluate(batch, _world().handlers[0])
        self._done(batch)

    @precondition(lambda self: bool(self.evaluated))
    @rule(data=st.data())
    def redeliver_evaluated_batch(self, data: st.DataObject) -> None:
        batch = data.draw(st.sampled_from(self.evaluated))
        self._evaluate(batch, _world().handlers[0])
        _world().totals["redeliveries"] += 1

    @precondition(lambda self: bool(self.pending))
    @rule(data=st.data())
    def evaluate_concurrently(self, data: st.DataObject) -> None:
        """Two evaluators (two sandboxes) started together on overlapping deliveries of the
        same records: a duplicate invocation. Both start where the stream stands (Lambda hands a
        shard's records over in order, never one before those ahead of it were evaluated); one
        may also carry an old batch again."""
        old = data.draw(st.sampled_from(self.evaluated)) if self.evaluated else []
        cut_a = data.draw(st.integers(1, len(self.pending)))
        cut_b = data.draw(st.integers(0, len(self.pending)))
        first, second = self.pending[:cut_a], self.pending[:cut_b] + old
        self.pending = self.pending[max(cut_a, cut_b) :]
        start = threading.Barrier(2)
        errors: list[BaseException] = []

        def run(batch: list[dict[str, Any]], handler: Any) -> None:
            try:
                start.wait()
                self._evaluate(batch, handler)
            except BaseException as exc:
                errors.append(exc)

        threads = [
            threading.Thread(target=run, args=(first, _world().handlers[0])),
            threading.Thread(target=run, args=(second, _world().handlers[1])),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert not errors, errors
        self._done(first)
        self._done(second)
        _world().totals["concurrent_runs"] += 1

    # -- awards by hand

    @rule(user=st.sampled_from(USERS))
    def give_kudos(self, user: str) -> None:
        """An admin gives Kudos by hand: credited like any award."""
        given = inject(awards.give_award, _world().container)(
            self.tenant, "kudos", awards.Gift(user), given_by="admin"
        )
        self.gifts[(user, "kudos", given.period_key, 1)] = given.points
        _world().totals["gifts"] += 1

    @precondition(lambda self: bool(self.applied) or bool(self.gifts))
    @rule(data=st.data())
    def revoke_an_award(self, data: st.DataObject) -> None:
        """Revoke an award (of events or by hand): its points come back out by a ledger entry;
        a second revoke of it is a conflict and changes nothing."""
        world = _world()
        shot = snapshot(world.dynamodb, world.table, self.tenant, USERS)
        held = sorted(a["award_id"] for a in shot.awards.values() if a["status"] == "active")
        if not held:
            return
        award_id = data.draw(st.sampled_from(held))
        revoke = inject(awards.revoke_award, world.container)
        revoke(self.tenant, award_id, "audit")
        with pytest.raises(ConflictError):
            revoke(self.tenant, award_id, "again")
        self.revoked.add(award_id)
        world.totals["revokes"] += 1

    # -- what must hold after every step

    @invariant()
    def dynamodb_matches_the_model(self) -> None:
        world = _world()
        shot = snapshot(world.dynamodb, world.table, self.tenant, USERS)
        expected = expected_state(self.sent[event_id] for event_id in self.applied)
        projects = world.container.projects.projects(self.tenant, PROJECTS)
        trailblazer = world.container.config.get_achievement(self.tenant, "trailblazer")
        assert trailblazer is not None
        firsts = check_first_in_projects(
            shot,
            (self.sent[event_id] for event_id in self.applied),
            {p: project.created_at for p, project in projects.items()},
            {
                p: project.first["trailblazer"].user_id
                for p, project in projects.items()
                if "trailblazer" in project.first
            },
            trailblazer.enabled_since,
        )
        expected.awards.update(firsts)
        self.projects_won = len(firsts)
        expected.awards.update(self.gifts)
        revoked = frozenset(self.revoked)
        world.totals["facts_checked"] += check_against(shot, expected, world.tally, revoked)
        world.totals["awards_checked"] += len(expected.awards)

    def teardown(self) -> None:
        """Every accepted event gets evaluated in the end: the stream never drops one."""
        if not hasattr(self, "tenant"):
            return
        if self.pending:
            self._evaluate(self.pending, _world().handlers[0])
            self._done(self.pending)
            self.dynamodb_matches_the_model()
        _world().tally.lost += len(set(self.sent) - self.applied)
        _world().totals["projects_won"] += getattr(self, "projects_won", 0)
        assert self.applied == set(self.sent)
        _world().totals["events_evaluated"] += len(self.applied)


def test_counters_awards_and_wallets_stay_exact_under_duplicates_redelivery_and_concurrency(
    container: Container, stream_tap: StreamTap, dynamodb_client: Any, table_name: str, report: Any
) -> None:
    global WORLD  # noqa: PLW0603 - Hypothesis instantiates the machine; this is its way in
    totals: Counter[str] = Counter()
    tally = Tally()
    WORLD = World(
        container,
        stream_tap,
        dynamodb_client,
        table_name,
        (load_handler("evaluate_events"), load_handler("evaluate_events")),
        totals,
        tally,
    )
    try:
        run_state_machine_as_test(
            EvaluationMachine,
            settings=settings(
                max_examples=EXAMPLES,
                stateful_step_count=STEPS,
                deadline=None,
                database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
            ),
        )
    finally:
        WORLD = None
    report(
        examples=totals["examples"],
        events_sent=totals["events_sent"],
        duplicates_sent=totals["duplicates_sent"],
        redeliveries=totals["redeliveries"],
        concurrent_runs=totals["concurrent_runs"],
        gifts=totals["gifts"],
        revokes=totals["revokes"],
        invocations=totals["invocations"],
        events_evaluated=totals["events_evaluated"],
        projects_won=totals["projects_won"],
        facts_checked=totals["facts_checked"],
        lost=tally.lost,
        doubled=tally.doubled,
    )
    assert (tally.lost, tally.doubled) == (0, 0)
    assert totals["examples"] >= EXAMPLES
