"""Personal goals: all of a user's goals in one item, written under an optimistic lock."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from pynamodb.exceptions import DeleteError, PutError

from accolade.adapters.dynamo import keys
from accolade.adapters.dynamo.common import MAX_ATTEMPTS
from accolade.adapters.dynamo.models import GoalsItem
from accolade.domain.errors import ConflictError
from accolade.domain.limits import MAX_GOALS_PER_USER
from accolade.domain.models import Goal


def _goals(item: GoalsItem | None) -> dict[str, Goal]:
    doc: dict[str, Any] = item.doc if item is not None else {}
    return {goal_id: Goal.model_validate(goal) for goal_id, goal in doc.items()}


class DynamoGoalRepository:
    def goals_of(self, tenant_id: str, user_ids: Iterable[str]) -> dict[str, list[Goal]]:
        wanted = [(keys.user_pk(tenant_id, user_id), keys.GOALS) for user_id in set(user_ids)]
        found: dict[str, list[Goal]] = {}
        for item in GoalsItem.batch_get(wanted):
            goals = list(_goals(item).values())
            if goals:
                found[goals[0].user_id] = goals
        return found

    def put_goal(self, tenant_id: str, goal: Goal, *, cap: int = MAX_GOALS_PER_USER) -> bool:
        def change(goals: dict[str, Goal]) -> dict[str, Goal] | None:
            if goal.goal_id not in goals and len(goals) >= cap:
                return None
            return goals | {goal.goal_id: goal}

        return _edit(tenant_id, goal.user_id, change)

    def delete_goal(self, tenant_id: str, user_id: str, goal_id: str) -> bool:
        def change(goals: dict[str, Goal]) -> dict[str, Goal] | None:
            if goal_id not in goals:
                return None
            return {other: goal for other, goal in goals.items() if other != goal_id}

        return _edit(tenant_id, user_id, change)


def _edit(
    tenant_id: str, user_id: str, change: Callable[[dict[str, Goal]], dict[str, Goal] | None]
) -> bool:
    """Read the user's goals, ``change`` them (None: nothing to write, answer False) and write
    them back on the condition that nobody wrote in between; read again when somebody did."""
    pk = keys.user_pk(tenant_id, user_id)
    for _ in range(MAX_ATTEMPTS):
        try:
            item: GoalsItem | None = GoalsItem.get(pk, keys.GOALS, consistent_read=True)
        except GoalsItem.DoesNotExist:
            item = None
        changed = change(_goals(item))
        if changed is None:
            return False
        version = item.version if item is not None else 0
        unchanged = (
            GoalsItem.version == version if item is not None else GoalsItem.PK.does_not_exist()
        )
        try:
            if changed:
                doc = {goal_id: goal.model_dump(mode="json") for goal_id, goal in changed.items()}
                GoalsItem(pk, keys.GOALS, tenant_id=tenant_id, doc=doc, version=version + 1).save(
                    condition=unchanged
                )
            elif item is not None:  # the last goal went: the item goes too
                item.delete(condition=unchanged)
            return True
        except (PutError, DeleteError) as exc:
            if exc.cause_response_code != "ConditionalCheckFailedException":
                raise
    raise ConflictError("the goals were changed meanwhile; send the request again")
