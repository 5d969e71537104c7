"""Wire the services to DynamoDB and SNS: the one place that builds adapters."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from functools import cached_property, partial
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from accolade.adapters.dynamo import models
from accolade.clock import SystemClock
from accolade.config import Settings, settings

if TYPE_CHECKING:
    # Each adapter module is imported by the property that builds it: a handler loads (and
    # builds the pydantic and PynamoDB classes of) only the adapters it uses.
    from accolade.adapters.dynamo.audit import DynamoAuditLog
    from accolade.adapters.dynamo.awards import DynamoAwardRepository
    from accolade.adapters.dynamo.badges import DynamoBadgeRepository
    from accolade.adapters.dynamo.config import DynamoConfigRepository
    from accolade.adapters.dynamo.courses import DynamoCourseRepository
    from accolade.adapters.dynamo.diagnostics import DynamoDiagnostics
    from accolade.adapters.dynamo.events import DynamoEventRepository
    from accolade.adapters.dynamo.exports import DynamoExportRepository
    from accolade.adapters.dynamo.goals import DynamoGoalRepository
    from accolade.adapters.dynamo.inbox import DynamoInboxRepository
    from accolade.adapters.dynamo.leaderboards import DynamoLeaderboardRepository
    from accolade.adapters.dynamo.openbadges import DynamoCredentialRepository
    from accolade.adapters.dynamo.progress import DynamoProgressRepository
    from accolade.adapters.dynamo.projects import DynamoProjectRepository
    from accolade.adapters.dynamo.sequences import DynamoSequenceRepository
    from accolade.adapters.dynamo.users import DynamoUserRepository
    from accolade.adapters.jose import KmsKeyRing
    from accolade.ports import (
        AuditLog,
        AwardRepository,
        BadgeFileStore,
        BadgeImageInspector,
        BadgeRepository,
        Clock,
        CompletionRepository,
        ConfigRepository,
        CourseRepository,
        CredentialRepository,
        Diagnostics,
        DocumentStore,
        EventRepository,
        ExportFiles,
        ExportRepository,
        GoalRepository,
        InboxRepository,
        KeyRing,
        LeaderboardRepository,
        Notifier,
        ProgressRepository,
        ProjectRepository,
        SequenceRepository,
        UserRepository,
        WinnersQueue,
    )


class Container(Protocol):
    """What entrypoints get: one adapter per port. AwsContainer wires AWS; tests wire fakes."""

    @property
    def settings(self) -> Settings: ...
    @property
    def clock(self) -> Clock: ...
    @property
    def config(self) -> ConfigRepository: ...
    @property
    def users(self) -> UserRepository: ...
    @property
    def events(self) -> EventRepository: ...
    @property
    def progress(self) -> ProgressRepository: ...
    @property
    def awards(self) -> AwardRepository: ...
    @property
    def goals(self) -> GoalRepository: ...
    @property
    def leaderboards(self) -> LeaderboardRepository: ...
    @property
    def inbox(self) -> InboxRepository: ...
    @property
    def notifier(self) -> Notifier: ...
    @property
    def documents(self) -> DocumentStore: ...
    @property
    def projects(self) -> ProjectRepository: ...
    @property
    def winners_queue(self) -> WinnersQueue: ...
    @property
    def courses(self) -> CourseRepository: ...
    @property
    def sequences(self) -> SequenceRepository: ...
    @property
    def diagnostics(self) -> Diagnostics: ...
    @property
    def badges(self) -> BadgeRepository: ...
    @property
    def badge_files(self) -> BadgeFileStore: ...
    @property
    def badge_images(self) -> BadgeImageInspector: ...
    @property
    def badge_credentials(self) -> CredentialRepository: ...
    @property
    def keyring(self) -> KeyRing: ...
    @property
    def completion(self) -> CompletionRepository: ...
    @property
    def audit_log(self) -> AuditLog: ...
    @property
    def exports(self) -> ExportRepository: ...
    @property
    def export_files(self) -> ExportFiles: ...


T = TypeVar("T")
PORTS = frozenset(
    name for name, member in vars(Container).items() if isinstance(member, property)
) - {"settings"}


def inject(service: Callable[..., T], c: Container) -> Callable[..., T]:
    """``service`` with each keyword-only parameter named like a port (``config``, ``clock``...)
    bound to ``c``'s, as cosmicpython's bootstrap wires its handlers, and each typed as a group
    of ports (a NamedTuple whose fields are named like ports) bound to one built of ``c``'s. The
    caller passes the rest and may still pass a port itself; a positional ``events`` is data,
    not the repository."""
    bound: dict[str, Any] = {}
    for name, parameter in inspect.signature(service).parameters.items():
        if parameter.kind is not inspect.Parameter.KEYWORD_ONLY:
            continue
        if name in PORTS:
            bound[name] = getattr(c, name)
        elif group := _port_group(service, parameter.annotation):
            bound[name] = group(**{field: getattr(c, field) for field in group._fields})
    return partial(service, **bound)


def _port_group(service: Callable[..., Any], annotation: Any) -> Any:
    """The NamedTuple ``annotation`` names (a string under postponed annotations, looked up where
    ``service`` is defined) if each of its fields is named like a port, else None."""
    if isinstance(annotation, str):
        annotation = getattr(service, "__globals__", {}).get(annotation)
    fields = getattr(annotation, "_fields", None) if isinstance(annotation, type) else None
    return annotation if fields is not None and set(fields) <= PORTS else None


class AwsContainer:
    """The adapters of one process, built lazily: a handler pays only for what it uses. (A
    plain class: a dataclass's generated methods cost a cold start half a millisecond.)"""

    clock = SystemClock()

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        models.bind(settings.table_name, settings.region, settings.dynamodb_endpoint)

    @cached_property
    def config(self) -> DynamoConfigRepository:
        from accolade.adapters.dynamo.config import DynamoConfigRepository

        return DynamoConfigRepository()

    @cached_property
    def users(self) -> DynamoUserRepository:
        from accolade.adapters.dynamo.users import DynamoUserRepository

        return DynamoUserRepository()

    @cached_property
    def events(self) -> DynamoEventRepository:
        from accolade.adapters.dynamo.events import DynamoEventRepository

        return DynamoEventRepository(self.clock)

    @cached_property
    def progress(self) -> DynamoProgressRepository:
        from accolade.adapters.dynamo.progress import DynamoProgressRepository

        return DynamoProgressRepository()

    @cached_property
    def awards(self) -> DynamoAwardRepository:
        from accolade.adapters.dynamo.awards import DynamoAwardRepository

        return DynamoAwardRepository(self.clock)

    @cached_property
    def projects(self) -> DynamoProjectRepository:
        from accolade.adapters.dynamo.projects import DynamoProjectRepository

        return DynamoProjectRepository()

    @cached_property
    def courses(self) -> DynamoCourseRepository:
        from accolade.adapters.dynamo.courses import DynamoCourseRepository

        return DynamoCourseRepository()

    @cached_property
    def sequences(self) -> DynamoSequenceRepository:
        from accolade.adapters.dynamo.sequences import DynamoSequenceRepository

        return DynamoSequenceRepository()

    @cached_property
    def goals(self) -> DynamoGoalRepository:
        from accolade.adapters.dynamo.goals import DynamoGoalRepository

        return DynamoGoalRepository()

    @cached_property
    def leaderboards(self) -> DynamoLeaderboardRepository:
        from accolade.adapters.dynamo.leaderboards import DynamoLeaderboardRepository

        return DynamoLeaderboardRepository()

    @cached_property
    def inbox(self) -> DynamoInboxRepository:
        from accolade.adapters.dynamo.inbox import DynamoInboxRepository

        return DynamoInboxRepository(self.clock)

    @cached_property
    def notifier(self) -> Notifier:
        from accolade.adapters.sns import SnsNotifier

        return SnsNotifier(self.settings.topic_arn, self._client("sns"))

    @cached_property
    def documents(self) -> DocumentStore:
        from accolade.adapters.s3 import S3DocumentStore

        return S3DocumentStore(self.settings.bucket_name, self._s3)

    @cached_property
    def _s3(self) -> Any:
        """S3 for every store that hands out links: signed with SigV4, as S3 requires of presigned
        URLs for buckets made since June 2020 (botocore still presigns some with SigV2) and of
        presigned POSTs in newer regions."""
        from botocore.config import Config

        config = Config(signature_version="s3v4")
        return models.session().create_client("s3", region_name=self.settings.region, config=config)

    def _client(self, service: str) -> Any:
        # From the DynamoDB connection's botocore session: boto3's default session would be a
        # second one, loading the endpoint data and resolving credentials again (and boto3).
        return models.session().create_client(service, region_name=self.settings.region)

    @cached_property
    def completion(self) -> CompletionRepository:
        from accolade.adapters.dynamo.reports import DynamoCompletionRepository

        return DynamoCompletionRepository()

    @cached_property
    def winners_queue(self) -> WinnersQueue:
        from accolade.adapters.sqs import SqsWinnersQueue

        return SqsWinnersQueue(self.settings.winners_queue_url, self._client("sqs"))

    @cached_property
    def diagnostics(self) -> DynamoDiagnostics:
        from accolade.adapters.dynamo.diagnostics import DynamoDiagnostics

        return DynamoDiagnostics()

    @cached_property
    def badges(self) -> DynamoBadgeRepository:
        from accolade.adapters.dynamo.badges import DynamoBadgeRepository

        return DynamoBadgeRepository()

    @cached_property
    def badge_files(self) -> BadgeFileStore:
        from accolade.adapters.s3_badges import S3BadgeFileStore

        return S3BadgeFileStore(self.settings.badges_bucket_name, self._s3)

    @cached_property
    def badge_images(self) -> BadgeImageInspector:
        from accolade.adapters.badge_images import PillowImageInspector

        return PillowImageInspector()

    @cached_property
    def badge_credentials(self) -> DynamoCredentialRepository:
        from accolade.adapters.dynamo.openbadges import DynamoCredentialRepository

        return DynamoCredentialRepository()

    @cached_property
    def keyring(self) -> KmsKeyRing:
        from accolade.adapters.jose import KmsKeyRing

        return KmsKeyRing(self.settings.issuer_kms_key, self._client("kms"))

    @cached_property
    def audit_log(self) -> DynamoAuditLog:
        from accolade.adapters.dynamo.audit import DynamoAuditLog

        return DynamoAuditLog()

    @cached_property
    def exports(self) -> DynamoExportRepository:
        from accolade.adapters.dynamo.exports import DynamoExportRepository

        return DynamoExportRepository()

    @cached_property
    def export_files(self) -> ExportFiles:
        from accolade.adapters.s3 import S3ExportFiles

        return S3ExportFiles(self.settings.bucket_name, self._s3)


_container: Container | None = None


def container() -> Container:
    """The process-wide container, built on first use (cold start) from the environment."""
    global _container  # noqa: PLW0603 - one per Lambda execution environment
    if _container is None:
        _container = AwsContainer(settings())
    return _container


def override(replacement: Container | None) -> None:
    """Use ``replacement`` (a container of fakes, in unit tests) instead of the AWS one."""
    global _container  # noqa: PLW0603
    _container = replacement


def reset() -> None:
    """Forget the container and settings (tests that change the environment)."""
    global _container  # noqa: PLW0603
    _container = None
    settings.cache_clear()
