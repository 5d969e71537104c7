"""IssueCertificate: render the award's certificate, store it, and link it from the award."""

from __future__ import annotations

from accolade.domain.certificates import CertificateContent, render_pdf
from accolade.domain.models import Award, AwardStatus, CertificateStatus
from accolade.ports import AwardRepository, ConfigRepository, DocumentStore, UserRepository


def issue_certificate(
    tenant_id: str,
    award: Award,
    *,
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
        certificate_id=award.award_id,
        recipient=(profile.display_name if profile and profile.display_name else award.user_id),
        achievement=achievement.name if achievement else award.achievement_id,
        level=award.level,
        awarded_at=award.awarded_at,
        valid_until=award.valid_until,
    )
    key = documents.put_certificate(tenant_id, award, render_pdf(content))
    return awards.record_certificate(tenant_id, award, key)
