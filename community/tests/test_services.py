"""Cohorts, forum posts and votes: the community writes, their rules and their counters."""

from datetime import UTC, date, datetime

import pytest
from django.core.exceptions import ValidationError

from accounts.tests.factories import AdminFactory, TeacherFactory, UserFactory
from common.testing import race
from community import services
from community.models import Cohort, CohortMember, CohortRole, ForumPost, ForumVote, VoteType
from courses.tests.factories import ModuleFactory

pytestmark = pytest.mark.django_db

SPRING = {
    "name": "Spring",
    "description": "Weekly sessions.",
    "start_date": date(2026, 3, 2),
    "end_date": date(2026, 6, 26),
}


# --- cohorts -----------------------------------------------------------------------------------


def test_a_teacher_who_opens_a_cohort_teaches_it():
    teacher = TeacherFactory()
    cohort = services.cohort_create(**SPRING, created_by=teacher)
    assert cohort.created_by == teacher and cohort.is_active
    assert list(cohort.members.values_list("user_id", "role")) == [(teacher.pk, CohortRole.INSTRUCTOR)]


def test_an_admin_who_opens_a_cohort_does_not_join_it():
    cohort = services.cohort_create(**SPRING, created_by=AdminFactory(), is_active=False)
    assert not cohort.members.exists() and cohort.is_active is False


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"end_date": date(2026, 3, 1)}, "end_after_start|End date"),
        ({"name": "  "}, "name"),
        ({"name": "x" * 101}, "name"),
    ],
)
def test_an_invalid_cohort_is_refused_and_nothing_is_saved(changes, message):
    with pytest.raises(ValidationError, match=message):
        services.cohort_create(**{**SPRING, **changes}, created_by=TeacherFactory())
    assert not Cohort.objects.exists() and not CohortMember.objects.exists()


def test_adding_members_is_idempotent_and_keeps_existing_roles():
    teacher = TeacherFactory()
    cohort = services.cohort_create(**SPRING, created_by=teacher)
    students = UserFactory.create_batch(3)
    assert services.cohort_members_add(cohort=cohort, users=students[:2], role=CohortRole.STUDENT) == 2
    assert services.cohort_members_add(cohort=cohort, users=[*students, teacher], role=CohortRole.STUDENT) == 1
    assert services.cohort_members_add(cohort=cohort, users=students, role=CohortRole.STUDENT) == 0
    assert cohort.members.filter(role=CohortRole.STUDENT).count() == 3
    assert cohort.members.get(user=teacher).role == CohortRole.INSTRUCTOR


def test_an_unknown_cohort_role_is_refused():
    cohort = services.cohort_create(**SPRING, created_by=AdminFactory())
    with pytest.raises(ValidationError, match="Unknown cohort role"):
        services.cohort_members_add(cohort=cohort, users=[UserFactory()], role="assistant")
    assert not cohort.members.exists()


def test_only_teachers_and_admins_can_be_instructors():
    cohort = services.cohort_create(**SPRING, created_by=AdminFactory())
    teacher, student = TeacherFactory(), UserFactory(username="eager_student")
    with pytest.raises(ValidationError, match="eager_student"):
        services.cohort_members_add(cohort=cohort, users=[teacher, student], role=CohortRole.INSTRUCTOR)
    assert not cohort.members.exists()  # not even the teacher: all or nothing


# --- forum posts -------------------------------------------------------------------------------


@pytest.fixture
def thread():
    return services.forum_post_create(
        user=UserFactory(), module=ModuleFactory(), title=" Why hashes? ", content="Explain, please."
    )


def test_a_thread_and_a_reply_that_inherits_its_module(thread):
    assert thread.title == "Why hashes?" and thread.parent_post is None and thread.upvotes == 0
    when = datetime(2026, 4, 1, 12, 0, tzinfo=UTC)
    reply = services.forum_post_create(
        user=UserFactory(), module=None, title=None, content="Because.", parent=thread, created_at=when
    )
    reply.refresh_from_db()
    assert reply.module_id == thread.module_id and reply.parent_post_id == thread.pk
    assert reply.title is None and reply.created_at == when


def test_a_reply_with_a_title_is_refused(thread):
    with pytest.raises(ValidationError) as error:
        services.forum_post_create(user=UserFactory(), module=None, title="Re: hashes", content="x", parent=thread)
    assert "title" in error.value.message_dict
    assert ForumPost.objects.count() == 1


def test_a_reply_in_another_module_is_refused(thread):
    with pytest.raises(ValidationError) as error:
        services.forum_post_create(user=UserFactory(), module=ModuleFactory(), title="", content="x", parent=thread)
    assert "module" in error.value.message_dict
    assert ForumPost.objects.count() == 1


@pytest.mark.parametrize(
    ("title", "content", "field"),
    [("", "Body", "title"), ("   ", "Body", "title"), ("Title", "  ", "content"), ("x" * 201, "Body", "title")],
)
def test_a_thread_needs_a_title_and_content(title, content, field):
    with pytest.raises(ValidationError) as error:
        services.forum_post_create(user=UserFactory(), module=ModuleFactory(), title=title, content=content)
    assert field in error.value.message_dict
    assert not ForumPost.objects.exists()


def test_threads_are_pinned_and_solved_but_replies_are_not(thread):
    services.forum_thread_pin(post=thread)
    services.forum_thread_mark_solved(post=thread)
    thread.refresh_from_db()
    assert thread.is_pinned and thread.is_solved
    services.forum_thread_mark_solved(post=thread, solved=False)
    assert ForumPost.objects.get(pk=thread.pk).is_solved is False
    reply = services.forum_post_create(user=UserFactory(), module=None, title=None, content="Yes.", parent=thread)
    for flag in (services.forum_thread_pin, services.forum_thread_mark_solved):
        with pytest.raises(ValidationError, match="Only a thread"):
            flag(post=reply)
    reply.refresh_from_db()
    assert not reply.is_pinned and not reply.is_solved


# --- votes -------------------------------------------------------------------------------------


def _upvotes(post) -> int:
    return ForumPost.objects.get(pk=post.pk).upvotes


def test_upvotes_count_the_upvotes_as_votes_change(thread):
    voter, other = UserFactory(), UserFactory()
    services.forum_vote_cast(user=voter, post=thread, vote_type=VoteType.UPVOTE)
    assert _upvotes(thread) == 1 and thread.upvotes == 1
    services.forum_vote_cast(user=other, post=thread, vote_type=VoteType.DOWNVOTE)
    assert _upvotes(thread) == 1
    vote = services.forum_vote_cast(user=voter, post=thread, vote_type=VoteType.DOWNVOTE)
    assert vote.vote_type == VoteType.DOWNVOTE and _upvotes(thread) == 0
    services.forum_vote_cast(user=other, post=thread, vote_type=VoteType.UPVOTE)
    services.forum_vote_cast(user=voter, post=thread, vote_type=VoteType.UPVOTE)
    assert _upvotes(thread) == 2 and ForumVote.objects.count() == 2


@pytest.mark.parametrize("vote_type", [VoteType.UPVOTE, VoteType.DOWNVOTE])
def test_a_double_vote_is_refused_and_changes_nothing(thread, vote_type):
    voter = UserFactory()
    services.forum_vote_cast(user=voter, post=thread, vote_type=vote_type)
    with pytest.raises(services.VoteRepeated, match="already"):
        services.forum_vote_cast(user=voter, post=thread, vote_type=vote_type)
    assert ForumVote.objects.count() == 1 and _upvotes(thread) == (vote_type == VoteType.UPVOTE)


def test_authors_cannot_vote_on_their_own_post(thread):
    with pytest.raises(ValidationError, match="own post"):
        services.forum_vote_cast(user=thread.user, post=thread, vote_type=VoteType.UPVOTE)
    assert not ForumVote.objects.exists() and _upvotes(thread) == 0


def test_an_unknown_vote_type_is_refused(thread):
    with pytest.raises(ValidationError, match="Unknown vote"):
        services.forum_vote_cast(user=UserFactory(), post=thread, vote_type="superlike")
    assert not ForumVote.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_simultaneous_votes_are_all_counted(thread):
    voters = UserFactory.create_batch(6)
    _, errors = race(lambda v: services.forum_vote_cast(user=v, post=thread, vote_type=VoteType.UPVOTE), voters)
    assert not errors
    assert _upvotes(thread) == 6 == ForumVote.objects.count()


@pytest.mark.django_db(transaction=True)
def test_a_double_click_racing_itself_counts_once(thread):
    voter = UserFactory()
    _, errors = race(lambda _: services.forum_vote_cast(user=voter, post=thread, vote_type=VoteType.UPVOTE), range(4))
    assert len(errors) == 3 and all(isinstance(e, services.VoteRepeated) for e in errors)
    assert _upvotes(thread) == 1 and ForumVote.objects.count() == 1
