"""Projects: one item each, so a registration and a claim see each other (``ports.py``)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from pynamodb.exceptions import DoesNotExist

from accolade.adapters.dynamo import keys
from accolade.adapters.dynamo.common import MAX_ATTEMPTS, update_on_version
from accolade.adapters.dynamo.models import ProjectItem
from accolade.adapters.dynamo.transact import backoff
from accolade.domain.projects import FirstActivity, Project


def _project(item: ProjectItem) -> Project:
    return Project(
        project_id=item.project_id,
        created_at=item.created_at,
        first={
            achievement_id: FirstActivity.model_validate(first)
            for achievement_id, first in (item.first or {}).items()
        },
        version=int(item.version or 0),
    )


def _item(tenant_id: str, project_id: str) -> ProjectItem:
    return ProjectItem(keys.project_pk(tenant_id, project_id), keys.PROJECT)


def _identity(tenant_id: str, project_id: str) -> list[Any]:
    """The actions that make an update create a whole item when there is none yet."""
    return [
        ProjectItem.entity.set(ProjectItem),
        ProjectItem.tenant_id.set(tenant_id),
        ProjectItem.project_id.set(project_id),
    ]


class DynamoProjectRepository:
    def register(self, tenant_id: str, project_id: str, created_at: datetime) -> Project:
        item = _item(tenant_id, project_id)
        # One UpdateItem returning the whole item: the claims made before it come back with it.
        item.update(
            actions=[
                *_identity(tenant_id, project_id),
                ProjectItem.created_at.set(ProjectItem.created_at | created_at),
            ]
        )
        return _project(item)

    def projects(self, tenant_id: str, project_ids: Iterable[str]) -> dict[str, Project]:
        wanted = [(keys.project_pk(tenant_id, p), keys.PROJECT) for p in sorted(set(project_ids))]
        found: dict[str, Project] = {}
        for item in ProjectItem.batch_get(wanted, consistent_read=True):
            found[item.project_id] = _project(item)
        return found

    def claim(
        self, tenant_id: str, project: Project, achievement_id: str, first: FirstActivity
    ) -> Project:
        for attempt in range(MAX_ATTEMPTS):
            if achievement_id in project.first:
                return project
            firsts = {a: f.model_dump(mode="json") for a, f in project.first.items()}
            firsts[achievement_id] = first.model_dump(mode="json")
            item = _item(tenant_id, project.project_id)
            actions = [*_identity(tenant_id, project.project_id), ProjectItem.first.set(firsts)]
            if update_on_version(item, ProjectItem.version, project.version, actions):
                return _project(item)
            if attempt:  # a second race: several achievements' claims at once
                backoff(attempt)
            project = self._read(tenant_id, project.project_id)
        raise RuntimeError(f"project {project.project_id}: too many racing claims")

    @staticmethod
    def _read(tenant_id: str, project_id: str) -> Project:
        try:
            item = ProjectItem.get(
                keys.project_pk(tenant_id, project_id), keys.PROJECT, consistent_read=True
            )
        except DoesNotExist:
            return Project(project_id=project_id)
        return _project(item)
