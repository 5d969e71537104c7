"""Settings, metrics and achievements: the tenant's definition, in its own partition."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any, TypeVar

from pynamodb.exceptions import DoesNotExist

from accolade.adapters.dynamo import keys
from accolade.adapters.dynamo.common import page
from accolade.adapters.dynamo.models import (
    AchievementItem,
    Item,
    MetricItem,
    MetricsRevisionItem,
    SettingsItem,
    TenantCountsItem,
)
from accolade.adapters.dynamo.transact import Cancelled, Transaction, commit, commit_retrying
from accolade.domain.errors import ConflictError
from accolade.domain.limits import MAX_ACHIEVEMENTS
from accolade.domain.models import (
    Achievement,
    AchievementType,
    Metric,
    TenantSettings,
)
from accolade.ports import (
    Page,
    PeriodTopTenant,
    TenantConfig,
)

_CACHE_TENANTS = 256
# (table, tenant) -> (config revision, configuration): kept across invocations of a sandbox.
_cache: OrderedDict[tuple[str, str], tuple[int, TenantConfig]] = OrderedDict()


def _config_revision(tenant_id: str) -> int:
    try:
        item = MetricsRevisionItem.get(
            keys.tenant_pk(tenant_id), keys.METRICS_REVISION, consistent_read=True
        )
    except DoesNotExist:
        return 0
    return int(item.config_revision or 0)


def _bump(tenant_id: str) -> list[Any]:
    """The update actions that count one more configuration write (with ``_revision_item``)."""
    return [
        MetricsRevisionItem.entity.set(MetricsRevisionItem),
        MetricsRevisionItem.tenant_id.set(tenant_id),
        MetricsRevisionItem.config_revision.add(1),
    ]


def _revision_item(tenant_id: str) -> MetricsRevisionItem:
    return MetricsRevisionItem(keys.tenant_pk(tenant_id), keys.METRICS_REVISION)


class DynamoConfigRepository:
    """Settings, metrics and achievements live in the tenant's partition: one query reads all."""

    def get_config(self, tenant_id: str) -> TenantConfig:
        """The tenant's configuration, as of this call: one strongly consistent GetItem of its
        revision, and the query only when a write moved it since this sandbox last read it.

        The revision is read before the query, so a write landing during the query leaves the
        cached copy one revision behind and the next call reads again.
        """
        revision = _config_revision(tenant_id)
        key = (Item.Meta.table_name, tenant_id)
        cached = _cache.get(key)
        if cached is not None and cached[0] == revision:
            _cache.move_to_end(key)
            return cached[1]
        config = self._read_config(tenant_id)
        _cache[key] = (revision, config)
        _cache.move_to_end(key)
        while len(_cache) > _CACHE_TENANTS:
            _cache.popitem(last=False)
        return config

    @staticmethod
    def _read_config(tenant_id: str) -> TenantConfig:
        settings = TenantSettings()
        metrics: list[Metric] = []
        achievements: list[Achievement] = []
        revision = 0
        for item in Item.query(keys.tenant_pk(tenant_id), consistent_read=True):
            if isinstance(item, SettingsItem):
                settings = TenantSettings.model_validate(item.doc)
            elif isinstance(item, MetricItem):
                metrics.append(Metric.model_validate(item.doc))
            elif isinstance(item, AchievementItem):
                achievements.append(Achievement.model_validate(item.doc))
            elif isinstance(item, MetricsRevisionItem):
                revision = int(item.revision)
        return TenantConfig(settings, tuple(metrics), tuple(achievements), revision)

    def put_settings(self, tenant_id: str, settings: TenantSettings) -> None:
        transaction = Transaction()
        transaction.put(
            "settings",
            SettingsItem(
                keys.tenant_pk(tenant_id),
                keys.SETTINGS,
                tenant_id=tenant_id,
                doc=settings.model_dump(mode="json"),
                GSI1PK=keys.TENANT_SETTINGS_INDEX_PK,
                GSI1SK=tenant_id,
            ),
        )
        transaction.update("revision", _revision_item(tenant_id), _bump(tenant_id))
        _commit_or_raise(transaction)

    def put_metric(self, tenant_id: str, metric: Metric, *, expected_revision: int) -> None:
        transaction = Transaction()
        transaction.put(
            "metric",
            MetricItem(
                keys.tenant_pk(tenant_id),
                keys.metric_sk(metric.metric_id),
                tenant_id=tenant_id,
                doc=metric.model_dump(mode="json"),
            ),
        )
        transaction.update(
            "revision",
            _revision_item(tenant_id),
            [*_bump(tenant_id), MetricsRevisionItem.revision.set(expected_revision + 1)],
            MetricsRevisionItem.revision == expected_revision
            if expected_revision
            else MetricsRevisionItem.revision.does_not_exist(),
        )
        cancelled = commit(transaction)
        if cancelled is not None:
            raise ConflictError("the metrics were edited meanwhile; send the request again")

    def metrics_page(self, tenant_id: str, *, limit: int, after: str | None) -> Page[Metric]:
        return _definitions(tenant_id, MetricItem, keys.METRIC_PREFIX, Metric, limit, after)

    def get_metric(self, tenant_id: str, metric_id: str) -> Metric | None:
        try:
            item = MetricItem.get(keys.tenant_pk(tenant_id), keys.metric_sk(metric_id))
        except DoesNotExist:
            return None
        return Metric.model_validate(item.doc)

    def create_achievement(
        self, tenant_id: str, achievement: Achievement, *, cap: int = MAX_ACHIEVEMENTS
    ) -> bool:
        item = self._achievement_item(tenant_id, achievement)
        created = _create_counted(tenant_id, item, TenantCountsItem.achievements, cap)
        if created is None:
            raise ConflictError(f"achievement {achievement.achievement_id} exists")
        return created

    def achievements_page(
        self, tenant_id: str, *, limit: int, after: str | None
    ) -> Page[Achievement]:
        return _definitions(
            tenant_id, AchievementItem, keys.ACHIEVEMENT_PREFIX, Achievement, limit, after
        )

    def get_achievement(self, tenant_id: str, achievement_id: str) -> Achievement | None:
        try:
            item = AchievementItem.get(
                keys.tenant_pk(tenant_id), keys.achievement_sk(achievement_id), consistent_read=True
            )
        except DoesNotExist:
            return None
        return Achievement.model_validate(item.doc)

    def replace_achievement(
        self, tenant_id: str, achievement: Achievement, *, expected_version: int
    ) -> None:
        transaction = Transaction()
        transaction.put(
            "achievement",
            self._achievement_item(tenant_id, achievement),
            AchievementItem.version == expected_version,
        )
        transaction.update("revision", _revision_item(tenant_id), _bump(tenant_id))
        cancelled = _commit_or_raise(transaction)
        if cancelled is not None:
            raise ConflictError("the achievement was edited meanwhile; read it again")

    def period_top_tenants(self) -> list[PeriodTopTenant]:
        """Two paged index queries, whatever the number of tenants: the period-winner
        achievements, then every tenant's settings (a tenant without any has the defaults)."""
        achievements: dict[str, list[Achievement]] = {}
        for item in AchievementItem.period_top.query(keys.PERIOD_TOP_INDEX_PK):
            achievements.setdefault(item.tenant_id, []).append(Achievement.model_validate(item.doc))
        if not achievements:
            return []
        settings = {
            item.tenant_id: TenantSettings.model_validate(item.doc)
            for item in SettingsItem.tenants.query(keys.TENANT_SETTINGS_INDEX_PK)
        }
        return [
            PeriodTopTenant(tenant_id, settings.get(tenant_id, TenantSettings()), tuple(listed))
            for tenant_id, listed in achievements.items()
        ]

    @staticmethod
    def _achievement_item(tenant_id: str, achievement: Achievement) -> AchievementItem:
        item = AchievementItem(
            keys.tenant_pk(tenant_id),
            keys.achievement_sk(achievement.achievement_id),
            tenant_id=tenant_id,
            doc=achievement.model_dump(mode="json"),
            version=achievement.version,
        )
        if achievement.type is AchievementType.PERIOD_TOP:
            item.GSI1PK = keys.PERIOD_TOP_INDEX_PK
            item.GSI1SK = keys.period_top_sk(tenant_id, achievement.achievement_id)
        return item


def _create_counted(tenant_id: str, item: Item, count: Any, cap: int) -> bool | None:
    """Put ``item`` if absent and add one to the tenant's ``count`` in one transaction, on the
    condition that the count stays within ``cap``: two racing creators cannot pass it.

    True when created, False when the cap is reached, None when the item already exists.
    """
    counts = TenantCountsItem(keys.tenant_pk(tenant_id), keys.COUNTS)
    bookkeeping = [
        TenantCountsItem.entity.set(TenantCountsItem),
        TenantCountsItem.tenant_id.set(tenant_id),
    ]
    transaction = Transaction()
    transaction.put("item", item, Item.PK.does_not_exist())
    within = count.does_not_exist() | (count < cap)  # no count yet: nothing defined
    transaction.update("count", counts, [*bookkeeping, count.add(1)], within)
    transaction.update("revision", _revision_item(tenant_id), _bump(tenant_id))
    cancelled = _commit_or_raise(transaction)
    if cancelled is None:
        return True
    return None if "item" in cancelled.failed_conditions else False


def _commit_or_raise(transaction: Transaction) -> Cancelled | None:
    """Commit, retrying conflicts; what a failed condition cancelled, None when committed."""
    return commit_retrying(lambda: transaction, "the tenant's configuration could not be written")


DefinitionT = TypeVar("DefinitionT", Metric, Achievement)


def _definitions(
    tenant_id: str,
    model: type[MetricItem | AchievementItem],
    prefix: str,
    domain: type[DefinitionT],
    limit: int,
    after: str | None,
) -> Page[DefinitionT]:
    """A page of a tenant's definitions of one kind (stored whole, as documents)."""
    return page(
        model,
        keys.tenant_pk(tenant_id),
        prefix,
        lambda item: domain.model_validate(item.doc),
        limit=limit,
        after=after,
        consistent_read=True,
    )
