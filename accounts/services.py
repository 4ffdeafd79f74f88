from django.db import transaction

from accounts.models import User


@transaction.atomic
def user_delete(*, user: User) -> None:
    """Delete a user and, through the database's ON DELETE CASCADE, everything that is theirs.

    The schema keeps three references without ON DELETE (who created a cohort, added a resource,
    graded a submission): those rows belong to others, so the reference is cleared first.
    """
    from assessments.models import CodeSubmission
    from community.models import Cohort
    from courses.models import LearningResource

    Cohort.objects.filter(created_by=user).update(created_by=None)
    LearningResource.objects.filter(added_by=user).update(added_by=None)
    CodeSubmission.objects.filter(graded_by=user).update(graded_by=None)
    user.delete()
