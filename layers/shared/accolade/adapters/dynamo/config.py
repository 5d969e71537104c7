"""Settings, metrics and achievements: the tenant's definition, in its own partition."""

from __future__ import annotations

from typing import Any

from pynamodb.exceptions import DoesNotExist, PutError

from accolade.adapters.dynamo import keys
from accolade.adapters.dynamo.common import MAX_ATTEMPTS, conditional_failed, page
from accolade.adapters.dynamo.models import (
    AchievementItem,
    Item,
    MetricItem,
    MetricsRevisionItem,
    SettingsItem,
    TenantCountsItem,
)
from accolade.adapters.dynamo.transact import Transaction, backoff, commit
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
    TenantConfig,
)


class DynamoConfigRepository:
    """Settings, metrics and achievements live in the tenant's partition: one query reads all."""

    def get_config(self, tenant_id: str) -> TenantConfig:
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
        SettingsItem(
            keys.tenant_pk(tenant_id),
            keys.SETTINGS,
            tenant_id=tenant_id,
            doc=settings.model_dump(mode="json"),
        ).save()

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
            MetricsRevisionItem(keys.tenant_pk(tenant_id), keys.METRICS_REVISION),
            [
                MetricsRevisionItem.entity.set(MetricsRevisionItem),
                MetricsRevisionItem.tenant_id.set(tenant_id),
                MetricsRevisionItem.revision.set(expected_revision + 1),
            ],
            MetricsRevisionItem.revision == expected_revision
            if expected_revision
            else MetricsRevisionItem.revision.does_not_exist(),
        )
        cancelled = commit(transaction)
        if cancelled is not None:
            raise ConflictError("the metrics were edited meanwhile; send the request again")

    def metrics_page(self, tenant_id: str, *, limit: int, after: str | None) -> Page[Metric]:
        items, following = page(
            MetricItem,
            keys.tenant_pk(tenant_id),
            keys.METRIC_PREFIX,
            limit=limit,
            after=after,
            consistent_read=True,
        )
        return Page([Metric.model_validate(item.doc) for item in items], following)

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
        created = _create_counted(
            tenant_id, item, TenantCountsItem.achievements, keys.ACHIEVEMENT_PREFIX, cap
        )
        if created is None:
            raise ConflictError(f"achievement {achievement.achievement_id} exists")
        return created

    def achievements_page(
        self, tenant_id: str, *, limit: int, after: str | None
    ) -> Page[Achievement]:
        items, following = page(
            AchievementItem,
            keys.tenant_pk(tenant_id),
            keys.ACHIEVEMENT_PREFIX,
            limit=limit,
            after=after,
            consistent_read=True,
        )
        return Page([Achievement.model_validate(item.doc) for item in items], following)

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
        item = self._achievement_item(tenant_id, achievement)
        try:
            item.save(condition=AchievementItem.version == expected_version)
        except PutError as exc:
            if conditional_failed(exc):
                raise ConflictError("the achievement was edited meanwhile; read it again") from exc
            raise

    def period_top_achievements(self) -> list[tuple[str, Achievement]]:
        items = AchievementItem.period_top.query(keys.PERIOD_TOP_INDEX_PK)
        return [(item.tenant_id, Achievement.model_validate(item.doc)) for item in items]

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


def _create_counted(tenant_id: str, item: Item, count: Any, prefix: str, cap: int) -> bool | None:
    """Put ``item`` if absent and add one to the tenant's ``count`` in one transaction, on the
    condition that the count stays within ``cap``: two racing creators cannot pass it.

    True when created, False when the cap is reached, None when the item already exists.
    """
    counts = TenantCountsItem(keys.tenant_pk(tenant_id), keys.COUNTS)
    bookkeeping = [
        TenantCountsItem.entity.set(TenantCountsItem),
        TenantCountsItem.tenant_id.set(tenant_id),
    ]
    for attempt in range(MAX_ATTEMPTS):
        transaction = Transaction()
        transaction.put("item", item, Item.PK.does_not_exist())
        transaction.update("count", counts, [*bookkeeping, count.add(1)], count < cap)
        cancelled = commit(transaction)
        if cancelled is None:
            return True
        if "item" in cancelled.failed_conditions:
            return None
        if "count" in cancelled.failed_conditions:
            stored = _counts(tenant_id)
            value = getattr(stored, count.attr_name) if stored is not None else None
            if value is not None:
                if value >= cap:
                    return False
                continue  # a racing creator counted the tenant meanwhile: try again
            # Never counted (the tenant predates the caps): count what exists, once.
            existing = Item.count(
                keys.tenant_pk(tenant_id), Item.SK.startswith(prefix), consistent_read=True
            )
            if existing >= cap:
                return False
            transaction = Transaction()
            transaction.put("item", item, Item.PK.does_not_exist())
            transaction.update(
                "count", counts, [*bookkeeping, count.set(existing + 1)], count.does_not_exist()
            )
            cancelled = commit(transaction)
            if cancelled is None:
                return True
            if "item" in cancelled.failed_conditions:
                return None
        backoff(attempt)
    raise RuntimeError("the tenant's definition count could not be updated: too many conflicts")


def _counts(tenant_id: str) -> TenantCountsItem | None:
    try:
        return TenantCountsItem.get(keys.tenant_pk(tenant_id), keys.COUNTS, consistent_read=True)
    except DoesNotExist:
        return None
