"""Certificates: render an award's certificate and link it from the award; hand its holder a
short-lived link; render it anew on an admin's request."""

from __future__ import annotations

from accolade.domain.certificates import CERTIFICATE_LINK_SECONDS, CertificateContent, verify_url
from accolade.domain.errors import ConflictError, NotFoundError
from accolade.domain.models import Award, AwardKey, AwardStatus, CertificateStatus
from accolade.ports import (
    AwardRepository,
    CertificateRenderer,
    Clock,
    ConfigRepository,
    DocumentStore,
    UserRepository,
)
from accolade.services.awards import get_award


def issue_certificate(
    tenant_id: str,
    award: Award,
    *,
    renderer: CertificateRenderer,
    public_base_url: str,
    config: ConfigRepository,
    users: UserRepository,
    awards: AwardRepository,
    documents: DocumentStore,
) -> bool:
    """Issue a pending certificate; True when this call issued it.

    The PDF is written before the award is marked, under a key fixed by the award: a retry after
    a crash overwrites the same object, and the conditional mark issues it once.
    """
    if award.certificate_status is not CertificateStatus.PENDING:
        return False
    if award.status is not AwardStatus.ACTIVE:
        return False
    achievement = config.get_achievement(tenant_id, award.achievement_id)
    profile = users.get_users(tenant_id, [award.user_id]).get(award.user_id)
    content = CertificateContent(
        holder=(profile.display_name if profile and profile.display_name else award.user_id),
        achievement=achievement.name if achievement else award.achievement_id,
        level=award.level,
        awarded_at=award.awarded_at,
        valid_until=award.valid_until,
        identifier=award.identifier,
        verify_url=(
            verify_url(public_base_url, tenant_id, award.identifier) if award.identifier else None
        ),
    )
    key = documents.put_certificate(tenant_id, award, renderer.render(content))
    return awards.record_certificate(tenant_id, award, key)


def my_certificate_link(
    tenant_id: str,
    user_id: str,
    award_id: str,
    *,
    awards: AwardRepository,
    documents: DocumentStore,
) -> str:
    """A short-lived link to one of the caller's own certificates. Another user's award, a
    revoked one or one without a certificate is not found; one still being rendered is a
    conflict (try again shortly)."""
    key = AwardKey.parse(award_id)
    award = awards.get_award(tenant_id, key) if key and key.user_id == user_id else None
    if award is None or award.status is AwardStatus.REVOKED or award.certificate_status is None:
        # The id is not echoed: it may be another user's, sent by someone probing.
        raise NotFoundError("no certificate of this award among yours")
    if award.certificate_status is not CertificateStatus.ISSUED or award.certificate_key is None:
        raise ConflictError("the certificate of this award is being rendered; try again shortly")
    return documents.url(award.certificate_key, expires_in=CERTIFICATE_LINK_SECONDS)


def refresh_documents(
    tenant_id: str,
    award_id: str,
    *,
    config: ConfigRepository,
    awards: AwardRepository,
    clock: Clock,
) -> Award:
    """Render the award's certificate anew (after an edit of the achievement, the holder's name
    or the award): marked pending, the certificate function renders it again. Asking twice
    renders it again once more at most; a revoked award is a conflict."""
    award = get_award(tenant_id, award_id, awards=awards)
    if award.status is AwardStatus.REVOKED:
        raise ConflictError(f"award {award_id} is revoked: its certificate stays invalid")
    achievement = config.get_achievement(tenant_id, award.achievement_id)
    if award.certificate_status is None and not (achievement and achievement.certificate):
        raise ConflictError(f"achievement {award.achievement_id} issues no certificate")
    if not awards.request_certificate(tenant_id, award, clock.now()):
        raise ConflictError(f"award {award_id} is revoked: its certificate stays invalid")
    return award.model_copy(update={"certificate_status": CertificateStatus.PENDING})
