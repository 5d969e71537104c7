"""Admin use cases: tenant settings, users, metrics and achievement definitions."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple, TypeVar

from pydantic import BaseModel, ValidationError

from accolade.domain.errors import (
    InvalidInputError,
    LimitExceededError,
    error_message,
    field_path,
    or_not_found,
)
from accolade.domain.limits import (
    MAX_ACHIEVEMENTS,
    MAX_METRICS,
    MAX_METRICS_PER_EVENT_TYPE,
    PERIODS_PER_METRIC,
)
from accolade.domain.models import Achievement, Metric, TenantSettings, UserProfile
from accolade.ports import (
    FIRST_PAGE,
    BadgeRepository,
    Clock,
    CompletionRepository,
    ConfigRepository,
    Page,
    PageRequest,
    SequenceRepository,
    UserRepository,
)
from accolade.services.badges import check_reference as check_badge

M = TypeVar("M", bound=BaseModel)

IMMUTABLE = frozenset(
    {"achievement_id", "type", "version", "created_at", "updated_at", "enabled_at"}
)


def build(model: type[M], data: Mapping[str, Any], prefix: str = "") -> M:
    """Validate ``data`` into a domain model; a rule it breaks becomes a 422 naming the field."""
    try:
        return model.model_validate(dict(data))
    except ValidationError as exc:
        error = exc.errors()[0]
        location, message = field_path(error["loc"]), error_message(error)
        if not location and ": " in message:
            location, message = message.split(": ", 1)
        raise InvalidInputError(prefix + (location or "body"), message) from exc


def get_one(tenant_id: str, thing_id: str, *, read: Callable[[str, str], M | None], what: str) -> M:
    """One of the tenant's things by id, as the repository method ``read`` finds it; none is a
    NotFoundError naming it ``what`` (such as "metric") and the id."""
    return or_not_found(read(tenant_id, thing_id), f"{what} {thing_id}")


def list_page(
    tenant_id: str, *, page: PageRequest = FIRST_PAGE, read: Callable[..., Page[M]]
) -> Page[M]:
    """A page of one of the tenant's lists, as the repository method ``read`` pages it (in the
    order of the items' keys, so a page is one query)."""
    return read(tenant_id, limit=page.limit, after=page.after)


def get_settings(tenant_id: str, *, config: ConfigRepository) -> TenantSettings:
    return config.get_config(tenant_id).settings


def put_settings(
    tenant_id: str, settings: TenantSettings, *, config: ConfigRepository
) -> TenantSettings:
    config.put_settings(tenant_id, settings)
    return settings


def put_user(
    tenant_id: str,
    profile: UserProfile,
    *,
    users: UserRepository,
    completion: CompletionRepository | None = None,
) -> UserProfile:
    """Store the profile, then move the user's completion counts to its organisation and groups
    (a retried PUT finishes a move a crash cut short)."""
    users.put_user(tenant_id, profile)
    if completion is not None:
        completion.reconcile_user(tenant_id, profile.user_id)
    return profile


def get_user(tenant_id: str, user_id: str, *, users: UserRepository) -> UserProfile:
    return or_not_found(users.get_users(tenant_id, [user_id]).get(user_id), f"user {user_id}")


def get_metric(tenant_id: str, metric_id: str, *, config: ConfigRepository) -> Metric:
    return get_one(tenant_id, metric_id, read=config.get_metric, what="metric")


def put_metric(
    tenant_id: str, metric: Metric, *, config: ConfigRepository, cap: int = MAX_METRICS
) -> Metric:
    """Create or replace a metric: a tenant defines at most ``cap`` (MAX_METRICS), an event type
    moves at most 24. Checked against one revision of all metrics, which the write locks on."""
    tenant = config.get_config(tenant_id)
    known = {m.metric_id for m in tenant.metrics}
    if metric.metric_id not in known and len(known) >= cap:
        raise LimitExceededError(
            "metric_id", f"a tenant defines at most {cap} metrics; replace one instead"
        )
    same_type = {m.metric_id for m in tenant.metrics if m.event_type == metric.event_type}
    if len(same_type | {metric.metric_id}) > MAX_METRICS_PER_EVENT_TYPE:
        raise InvalidInputError(
            "event_type",
            f"at most {MAX_METRICS_PER_EVENT_TYPE} metrics per event type: an event's counters "
            f"({PERIODS_PER_METRIC} periods per metric) commit with it in one DynamoDB "
            "transaction of at most 100 items",
        )
    winners = {
        a.period
        for a in tenant.achievements
        if a.metric == metric.metric_id and a.period is not None
    }
    if missing := sorted(winners - set(metric.leaderboards)):
        raise InvalidInputError(
            "leaderboards",
            f"period winners of this metric need the {', '.join(p.value for p in missing)} "
            "leaderboard",
        )
    config.put_metric(tenant_id, metric, expected_revision=tenant.metrics_revision)
    return metric


class DefinitionPorts(NamedTuple):
    """Where achievement definitions are kept (``config``, with the tenant's metrics they read)
    and the sequences and badges they name. ``bootstrap.inject`` builds one."""

    config: ConfigRepository
    sequences: SequenceRepository | None = None
    badges: BadgeRepository | None = None


def create_achievement(
    tenant_id: str, definition: Mapping[str, Any], *, ports: DefinitionPorts, clock: Clock
) -> Achievement:
    """Create a definition (version 1) with a new id."""
    achievement = draft_achievement(tenant_id, definition, ports=ports, clock=clock)
    if not ports.config.create_achievement(tenant_id, achievement, cap=MAX_ACHIEVEMENTS):
        raise LimitExceededError(
            "body", f"a tenant defines at most {MAX_ACHIEVEMENTS} achievements; edit one instead"
        )
    return achievement


def draft_achievement(
    tenant_id: str, definition: Mapping[str, Any], *, ports: DefinitionPorts, clock: Clock
) -> Achievement:
    """The definition as create would store it (version 1, a new id), checked against the
    tenant's metrics and sequences, without storing it (a dry run's too)."""
    now = clock.now()
    achievement = build(
        Achievement,
        {
            **definition,
            "achievement_id": uuid.uuid4().hex,
            "version": 1,
            "created_at": now,
            "updated_at": now,
            "enabled_at": now if definition.get("enabled", True) else None,
        },
    )
    _check_metric(tenant_id, achievement, ports.config)
    _check_sequence(tenant_id, achievement, ports.sequences)
    check_badge(tenant_id, achievement.badge, ports.badges)
    return achievement


def get_achievement(
    tenant_id: str, achievement_id: str, *, config: ConfigRepository
) -> Achievement:
    return get_one(tenant_id, achievement_id, read=config.get_achievement, what="achievement")


def edit_achievement(
    tenant_id: str,
    achievement_id: str,
    changes: Mapping[str, Any],
    *,
    ports: DefinitionPorts,
    clock: Clock,
) -> Achievement:
    """Apply an edit as a new version. Thresholds and metric apply to future awards only, since
    awards keep the level they were granted with; name, description and badge are read live."""
    config = ports.config
    current = get_achievement(tenant_id, achievement_id, config=config)
    if "type" in changes and changes["type"] != current.type.value:
        raise InvalidInputError("type", "the type of an achievement never changes")
    now = clock.now()
    enabling = changes.get("enabled") is True and not current.enabled
    edited = build(
        Achievement,
        {
            **current.model_dump(),
            **{key: value for key, value in changes.items() if key not in IMMUTABLE},
            "version": current.version + 1,
            "updated_at": now,
            # Enabling again starts afresh: what came before it never counts (projects).
            "enabled_at": now if enabling else current.enabled_at,
        },
    )
    if edited.metric != current.metric or edited.period != current.period:
        _check_metric(tenant_id, edited, config)
    if edited.sequence_id != current.sequence_id:
        _check_sequence(tenant_id, edited, ports.sequences)
    if edited.badge != current.badge:
        check_badge(tenant_id, edited.badge, ports.badges)
    config.replace_achievement(tenant_id, edited, expected_version=current.version)
    return edited


def _check_sequence(
    tenant_id: str, achievement: Achievement, sequences: SequenceRepository | None
) -> None:
    """An achievement numbers its awards from a sequence that exists."""
    if achievement.sequence_id is None:
        return
    if sequences is None or sequences.get_sequence(tenant_id, achievement.sequence_id) is None:
        raise InvalidInputError(
            "sequence_id", f"no sequence {achievement.sequence_id!r}: create it first"
        )


def _check_metric(tenant_id: str, achievement: Achievement, config: ConfigRepository) -> None:
    if not achievement.metric:
        return
    metric = config.get_metric(tenant_id, achievement.metric)
    if metric is None:
        raise InvalidInputError("metric", f"no metric {achievement.metric!r}: create it first")
    if achievement.period is not None and achievement.period not in metric.leaderboards:
        raise InvalidInputError(
            "period",
            f"metric {metric.metric_id!r} ranks no {achievement.period.value} leaderboard: add "
            f"{achievement.period.value!r} to its leaderboards first",
        )
