"""Writes for the community app: cohorts and their members, forum posts and votes."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F

from accounts.models import Role, User
from community.models import Cohort, CohortMember, CohortRole, ForumPost, ForumVote, VoteType
from courses.models import Module

# --- cohorts -----------------------------------------------------------------------------------


@transaction.atomic
def cohort_create(
    *,
    name: str,
    description: str,
    start_date: date | None,
    end_date: date | None,
    created_by: User | None,
    is_active: bool = True,
) -> Cohort:
    """Open a cohort; a teacher who opens one teaches it (see `cohort_creator_enrol`)."""
    cohort = Cohort(
        name=(name or "").strip(),
        description=(description or "").strip() or None,
        start_date=start_date,
        end_date=end_date,
        is_active=is_active,
        created_by=created_by,
    )
    cohort.full_clean()  # includes the end-not-before-start constraint
    cohort.save(force_insert=True)
    cohort_creator_enrol(cohort=cohort)
    return cohort


def cohort_creator_enrol(*, cohort: Cohort) -> bool:
    """The rule for a new cohort: when its creator is a teacher, they become its instructor.

    Called by `cohort_create` and by the admin's "add cohort". Returns whether a membership was
    added (an existing membership of the creator is left as it is).
    """
    creator = cohort.created_by
    if creator is None or not creator.is_teacher:
        return False
    return _members_insert(cohort, [creator], CohortRole.INSTRUCTOR) == 1


# Who may change memberships (docs/architecture.md, "Access"): a teacher reads the data of the
# learners in the cohorts they teach, so a membership is a grant of access. Only admins grant it:
# they enrol learners and appoint instructors. A teacher may remove students from a cohort they
# teach (that only narrows what they see) and opens cohorts, which they then teach, empty.
ENROL_REFUSED = "Only an admin enrols learners or appoints instructors; ask an admin to add them."


def _require_admin(actor: User | None) -> None:
    """`actor=None` is trusted code (the demo school, imports); a person must be an admin."""
    if actor is not None and not actor.is_admin:
        raise PermissionDenied(ENROL_REFUSED)


def _members_check(users: list[User], role: str) -> None:
    if role not in CohortRole.values:
        expected = ", ".join(CohortRole.values)
        raise ValidationError({"role": f"Unknown cohort role {role!r}: expected one of {expected}."})
    if role == CohortRole.INSTRUCTOR:
        learners = [u.username for u in users if u.role not in (Role.TEACHER, Role.ADMIN)]
        if learners:
            raise ValidationError({"role": f"Only teachers and admins can be instructors: {', '.join(learners)}."})


@transaction.atomic
def cohort_members_add(*, cohort: Cohort, users: Iterable[User], role: str, actor: User | None = None) -> int:
    """Add users to a cohort in one role; returns how many were added.

    Idempotent: users already in the cohort keep their membership (and its role), so a second
    call adds nothing. Only teachers and admins can be instructors. `actor`, when a person makes
    the change, must be an admin (PermissionDenied otherwise).
    """
    _require_admin(actor)
    users = list({user.pk: user for user in users}.values())
    _members_check(users, role)
    return _members_insert(cohort, users, role)


@transaction.atomic
def cohort_member_save(*, actor: User, member: CohortMember) -> CohortMember:
    """Create or change one membership from the admin: admins only, the role rules checked."""
    _require_admin(actor)
    _members_check([member.user], member.role)
    member.full_clean()
    member.save()
    return member


def cohort_member_removal_refusal(*, actor: User, member: CohortMember) -> str | None:
    """Why `actor` may not remove this membership, or None when they may.

    Admins may remove any; a teacher only a student's membership of a cohort they teach."""
    if actor.is_admin:
        return None
    if not actor.is_teacher:
        return "Only teachers and admins manage cohorts."
    teaches = CohortMember.objects.filter(cohort_id=member.cohort_id, user=actor, role=CohortRole.INSTRUCTOR).exists()
    if not teaches:
        return "You can only manage the cohorts you teach."
    if member.role != CohortRole.STUDENT:
        return "Teachers remove students only; an admin changes a cohort's instructors."
    return None


@transaction.atomic
def cohort_member_remove(*, actor: User, member: CohortMember) -> None:
    """Remove a membership (see `cohort_member_removal_refusal` for who may)."""
    refusal = cohort_member_removal_refusal(actor=actor, member=member)
    if refusal:
        raise PermissionDenied(refusal)
    CohortMember.objects.filter(pk=member.pk).delete()


def _members_insert(cohort: Cohort, users: list[User], role: str) -> int:
    if not users:
        return 0
    present = set(
        CohortMember.objects.filter(cohort=cohort, user__in=[u.pk for u in users]).values_list("user_id", flat=True)
    )
    new = [CohortMember(cohort=cohort, user=user, role=role) for user in users if user.pk not in present]
    # The (cohort, user) unique key decides between simultaneous calls: the slower one skips the
    # row (and still counts it; the count is exact without a race).
    CohortMember.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


# --- forum -------------------------------------------------------------------------------------


@transaction.atomic
def forum_post_create(
    *,
    user: User,
    module: Module | None,
    title: str | None,
    content: str,
    parent: ForumPost | None = None,
    created_at: datetime | None = None,
) -> ForumPost:
    """Start a thread (it needs a title) or reply to a post (it has no title and belongs to its
    thread's module: pass `module=None` or that module; another module is refused)."""
    title = (title or "").strip()
    errors: dict[str, str] = {}
    if parent is not None:
        if title:
            errors["title"] = "A reply has no title; it answers its thread."
        if module is not None and module.pk != parent.module_id:
            errors["module"] = "A reply belongs to its thread's module."
        module_id = parent.module_id
    else:
        if not title:
            errors["title"] = "A new thread needs a title."
        module_id = module.pk if module is not None else None
    if errors:
        raise ValidationError(errors)
    post = ForumPost(
        user=user, module_id=module_id, parent_post=parent, title=title or None, content=(content or "").strip()
    )
    if created_at is not None:
        post.created_at = created_at
    post.full_clean()
    post.save(force_insert=True)
    return post


def _thread_flag(post: ForumPost, field: str, value: bool) -> ForumPost:
    if post.parent_post_id is not None:
        raise ValidationError("Only a thread (not a reply) can be pinned or marked solved.")
    setattr(post, field, value)
    post.save(update_fields=[field, "updated_at"])
    return post


@transaction.atomic
def forum_thread_mark_solved(*, post: ForumPost, solved: bool = True) -> ForumPost:
    """Mark a thread solved (or open again)."""
    return _thread_flag(post, "is_solved", solved)


@transaction.atomic
def forum_thread_pin(*, post: ForumPost, pinned: bool = True) -> ForumPost:
    """Pin a thread to the top of its module's forum (or unpin it)."""
    return _thread_flag(post, "is_pinned", pinned)


class VoteRepeated(ValidationError):
    """The user already cast this very vote on this post."""


def _upvotes(vote_type: str | None) -> int:
    return 1 if vote_type == VoteType.UPVOTE else 0


@transaction.atomic
def forum_vote_cast(*, user: User, post: ForumPost, vote_type: str) -> ForumVote:
    """Vote a post up or down: one vote per user and post (the table's primary key), which can be
    changed. `forum_posts.upvotes` counts the upvotes; it changes with F() in this transaction.

    Raises ValidationError for an unknown vote type or a vote on one's own post, and VoteRepeated
    (a ValidationError) when the same vote is cast again; none of them changes anything.
    """
    if vote_type not in VoteType.values:
        raise ValidationError({"vote_type": f"Unknown vote {vote_type!r}: expected upvote or downvote."})
    if post.user_id == user.pk:
        raise ValidationError("You cannot vote on your own post.")
    previous = None
    try:
        with transaction.atomic():
            vote = ForumVote.objects.create(post=post, user=user, vote_type=vote_type)
    except IntegrityError:  # there is a vote already (perhaps committed a moment ago by another tab)
        vote = ForumVote.objects.select_for_update().get(post=post, user=user)
        previous = vote.vote_type
        if previous == vote_type:
            direction = "up" if vote_type == VoteType.UPVOTE else "down"
            raise VoteRepeated(f"You have already {direction}voted this post.") from None
        ForumVote.objects.filter(post=post, user=user).update(vote_type=vote_type)
        vote.vote_type = vote_type
    delta = _upvotes(vote_type) - _upvotes(previous)
    if delta:
        ForumPost.objects.filter(pk=post.pk).update(upvotes=F("upvotes") + delta)
        post.refresh_from_db(fields=["upvotes"])
    return vote
