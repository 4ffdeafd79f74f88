"""The learner pages through Django's test client: roles, locks, other people's data, bad input."""

import re

import pytest
from django.urls import reverse

from accounts.tests.factories import AdminFactory, TeacherFactory, UserFactory
from assessments.tests.test_views import quiz_post
from courses.models import LessonCompletion, ProgressStatus, UserProgress
from courses.tests.factories import LearningResourceFactory, UserProgressFactory

pytestmark = pytest.mark.django_db


def test_home_offers_to_continue_where_you_left_off(client, course):
    first, _, _ = course
    user = UserFactory()
    client.force_login(user)
    client.get(reverse("courses:lesson", args=[1, 1]))
    html = client.get("/").content.decode()
    assert "Continue where you left off" in html
    assert reverse("courses:lesson", args=[1, 1]) in html


def test_catalog_groups_by_track_and_explains_locks(client, course):
    client.force_login(UserFactory())
    html = client.get(reverse("courses:catalog")).content.decode()
    assert "User track" in html
    assert "Blockchain Technology" in html and "Draft module" not in html
    card = re.search(r'data-testid="module-card-2".*?</article>', html, re.S).group(0)
    assert "Locked" in card and "1. Blockchain Technology" in card


def test_catalog_is_open_to_visitors(client, course):
    response = client.get(reverse("courses:catalog"))
    assert response.status_code == 200 and b"Blockchain Technology" in response.content


def test_unpublished_modules_are_invisible_to_students(client, course):
    client.force_login(UserFactory())
    assert client.get(reverse("courses:module", args=[3])).status_code == 404
    assert client.get(reverse("courses:lesson", args=[3, 1])).status_code == 404
    assert client.get(reverse("assessments:quiz", args=[3])).status_code == 404


@pytest.mark.parametrize("factory", [TeacherFactory, AdminFactory])
def test_teachers_and_admins_see_unpublished_modules_and_bypass_locks(client, course, factory):
    client.force_login(factory())
    assert client.get(reverse("courses:module", args=[3])).status_code == 200
    assert client.get(reverse("courses:lesson", args=[2, 1])).status_code == 200
    assert b"Draft module" in client.get(reverse("courses:catalog")).content


def test_locked_lessons_and_quiz_redirect_back_with_the_reason(client, course):
    client.force_login(UserFactory())
    for url in (reverse("courses:lesson", args=[2, 1]), reverse("assessments:quiz", args=[2])):
        response = client.get(url, follow=True)
        assert response.redirect_chain[-1][0] == reverse("courses:module", args=[2])
        assert "Module 2 is locked — complete 1. Blockchain Technology first." in response.content.decode()
    assert not UserProgress.objects.filter(module_id=2).exists()


def test_completing_the_prerequisite_unlocks(client, course):
    user = UserFactory()
    UserProgressFactory(user=user, module=course[0], status=ProgressStatus.COMPLETED)
    client.force_login(user)
    assert client.get(reverse("courses:lesson", args=[2, 1])).status_code == 200


def test_lesson_page_renders_markdown_and_navigation(client, course):
    client.force_login(UserFactory())
    response = client.get(reverse("courses:lesson", args=[1, 1]))
    html = response.content.decode()
    assert '<h2 id="user-content-part-1">Part 1</h2>' in html and "<strong>text</strong>" in html
    assert reverse("courses:lesson", args=[1, 2]) in html  # next
    assert "Mark complete" in html
    assert client.get(reverse("courses:lesson", args=[1, 3])).status_code == 404
    assert client.get(reverse("courses:lesson", args=[1, 0])).status_code == 404


NOT_OPENED_MESSAGE = "Open the lesson and read it before marking it complete."


def test_lessons_require_login(client, course):
    response = client.get(reverse("courses:lesson", args=[1, 1]))
    assert response.status_code == 302 and reverse("account_login") in response.url


def test_mark_complete_without_javascript(client, course):
    user = UserFactory()
    client.force_login(user)
    client.get(reverse("courses:lesson", args=[1, 1]))  # completing needs the lesson opened
    response = client.post(reverse("courses:lesson_complete", args=[1, 1]))
    assert response.status_code == 302 and response.url == reverse("courses:lesson", args=[1, 2])
    assert LessonCompletion.objects.filter(user=user).count() == 1
    assert float(UserProgress.objects.get(user=user, module_id=1).progress_percent) == 33.33


def test_mark_complete_with_htmx_returns_the_fragment(client, course):
    client.force_login(UserFactory())
    client.get(reverse("courses:lesson", args=[1, 1]))
    response = client.post(reverse("courses:lesson_complete", args=[1, 1]), headers={"HX-Request": "true"})
    html = response.content.decode()
    assert "Lesson complete" in html and "<html" not in html and "33%" in html


def test_a_bare_post_does_not_complete_a_lesson_that_was_never_opened(client, course):
    user = UserFactory()
    client.force_login(user)
    response = client.post(reverse("courses:lesson_complete", args=[1, 1]), follow=True)
    assert NOT_OPENED_MESSAGE in response.content.decode()
    assert response.redirect_chain[0][0] == reverse("courses:lesson", args=[1, 1])
    assert not LessonCompletion.objects.filter(user=user).exists()
    # Opening lesson 1 does not open lesson 2.
    client.post(reverse("courses:lesson_complete", args=[1, 2]))
    assert not LessonCompletion.objects.filter(user=user).exists()
    # Having been shown the page, the learner can complete it (the redirect above opened it).
    client.post(reverse("courses:lesson_complete", args=[1, 1]))
    assert LessonCompletion.objects.filter(user=user).count() == 1


def test_a_bare_htmx_post_gets_the_reason_in_the_fragment(client, course):
    user = UserFactory()
    client.force_login(user)
    response = client.post(reverse("courses:lesson_complete", args=[1, 1]), headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert NOT_OPENED_MESSAGE in html and "Mark complete" in html
    assert not LessonCompletion.objects.filter(user=user).exists()


def test_mark_complete_needs_post(client, course):
    client.force_login(UserFactory())
    assert client.get(reverse("courses:lesson_complete", args=[1, 1])).status_code == 405


def test_dashboard_shows_the_learners_own_numbers(client, course):
    user = UserFactory()
    client.force_login(user)
    client.get(reverse("courses:lesson", args=[1, 1]))
    client.post(reverse("courses:lesson_complete", args=[1, 1]))
    quiz_post(client, 1, ["B", "true"])
    UserProgress.objects.filter(user=user).update(time_spent_minutes=42)
    other = UserFactory()
    UserProgressFactory(user=other, module=course[0], status=ProgressStatus.COMPLETED, time_spent_minutes=999)
    html = client.get(reverse("courses:dashboard")).content.decode()
    assert "42 min" in html and "999" not in html
    assert "Blockchain Technology" in html and "100%" in html
    assert "Continue" in html


def test_dashboard_words_the_tracks_quizzes_and_recent_activity(client, course):
    user = UserFactory()
    client.force_login(user)
    client.get(reverse("courses:lesson", args=[1, 1]))
    client.post(reverse("courses:lesson_complete", args=[1, 1]))
    quiz_post(client, 1, ["B", "false"])
    quiz_post(client, 1, ["B", "true"])
    html = client.get(reverse("courses:dashboard")).content.decode()
    assert "0 of 2 modules completed" in html  # the user track: modules 1 and 2 (3 is unpublished)
    table = re.search(r'data-testid="quiz-table".*?</table>', html, re.S).group(0)
    assert ">Blockchain Technology</a></td><td>2</td><td>100%</td><td>yes</td>" in table
    activity = re.search(r"Recent activity.*?</ul>", html, re.S).group(0)
    assert "Completed “Blockchain Technology lesson 1”" in activity
    assert "Quiz “Blockchain Technology”: 50% (not passed)" in activity
    assert "Quiz “Blockchain Technology”: 100% (passed)" in activity


def test_profile_edits_name_and_username_with_clear_errors(client):
    user = UserFactory(username="old_name")
    UserFactory(username="TakenName")
    client.force_login(user)
    response = client.post(reverse("accounts:profile"), {"full_name": "Ann Learner", "username": "takenname"})
    assert response.status_code == 200 and "This username is taken" in response.content.decode()
    user.refresh_from_db()
    assert user.username == "old_name"
    response = client.post(reverse("accounts:profile"), {"full_name": "Ann Learner", "username": "ann"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.username, user.full_name) == ("ann", "Ann Learner")
    response = client.post(reverse("accounts:profile"), {"full_name": "x", "username": "bad name!"})
    assert "Enter a valid username" in response.content.decode()


def test_resources_filter_sort_and_vote(client, course):
    module = course[0]
    article = LearningResourceFactory(module=module, title="An article", resource_type="article", upvotes=1)
    video = LearningResourceFactory(module=module, title="A video", resource_type="video", difficulty="advanced")
    user = UserFactory()
    client.force_login(user)
    html = client.get(reverse("courses:module", args=[1]) + "?resource_type=video").content.decode()
    assert "A video" in html and "An article" not in html
    html = client.get(reverse("courses:module", args=[1])).content.decode()
    assert html.index("An article") < html.index("A video")  # most votes first
    vote_url = reverse("courses:resource_vote", args=[1, video.id])
    client.post(vote_url)
    client.post(vote_url, headers={"HX-Request": "true"})
    fragment = client.post(vote_url, headers={"HX-Request": "true"}).content.decode()
    assert "▲ 1" in fragment and 'aria-pressed="true"' in fragment
    assert client.get(reverse("courses:module", args=[1]) + "?sort=nonsense").status_code == 200
    assert article.pk


def test_voting_on_another_modules_resource_is_refused(client, course):
    resource = LearningResourceFactory(module=course[2])
    client.force_login(UserFactory())
    assert client.post(reverse("courses:resource_vote", args=[1, resource.id])).status_code == 404


def test_heartbeat_needs_post_and_login(client, course):
    assert client.post(reverse("courses:heartbeat", args=[1])).status_code == 302
    client.force_login(UserFactory())
    assert client.get(reverse("courses:heartbeat", args=[1])).status_code == 405
    assert client.post(reverse("courses:heartbeat", args=[1])).content == b"0"
    assert client.post(reverse("courses:heartbeat", args=[2])).status_code == 403  # locked


def test_the_pages_tell_the_heartbeat_script_the_interval_from_the_setting(client, course, settings):
    client.force_login(UserFactory())
    pages = (reverse("courses:lesson", args=[1, 1]), reverse("assessments:quiz", args=[1]))
    for url in pages:
        assert f'data-heartbeat-seconds="{settings.HEARTBEAT_SECONDS}"' in client.get(url).content.decode()
    settings.HEARTBEAT_SECONDS = 45
    for url in pages:
        assert 'data-heartbeat-seconds="45"' in client.get(url).content.decode(), url


def test_the_rendered_lesson_is_refreshed_when_the_lesson_changes(client, course):
    from courses.models import Lesson

    client.force_login(UserFactory())
    url = reverse("courses:lesson", args=[1, 1])
    assert "<strong>text</strong>" in client.get(url).content.decode()
    lesson = Lesson.objects.get(module_id=1, order_index=1)
    lesson.content = "## Rewritten\n\nNew *wording*."
    lesson.save()
    html = client.get(url).content.decode()
    assert "<em>wording</em>" in html and "<strong>text</strong>" not in html


def test_dashboard_continue_goes_to_the_first_lesson_not_done(client, course):
    user = UserFactory()
    client.force_login(user)
    client.get(reverse("courses:lesson", args=[1, 2]))
    client.post(reverse("courses:lesson_complete", args=[1, 2]))  # lesson 2 done, lesson 1 not
    html = client.get(reverse("courses:dashboard")).content.decode()
    assert f'href="{reverse("courses:lesson", args=[1, 1])}">Continue' in html


def test_an_absurd_lesson_number_is_a_404_not_a_crash(client, course):
    client.force_login(UserFactory())
    huge = 99999999999999999999
    assert client.post(f"/modules/1/lessons/{huge}/complete/").status_code == 404
    assert client.get(f"/modules/1/lessons/{huge}/").status_code == 404


def test_an_unpublished_prerequisite_does_not_lock(client, course):
    first, second, hidden = course
    second.prerequisites = [1, 3]  # 3 is unpublished
    second.save()
    user = UserFactory()
    UserProgressFactory(user=user, module=first, status=ProgressStatus.COMPLETED)
    client.force_login(user)
    assert client.get(reverse("courses:lesson", args=[2, 1])).status_code == 200
    card = re.search(
        r'data-testid="module-card-2".*?</article>', client.get(reverse("courses:catalog")).content.decode(), re.S
    )
    assert "Locked" not in card.group(0)


def test_modules_and_lessons_know_their_pages(client, course):
    first = course[0]
    lessons = list(first.lessons.order_by("order_index"))
    assert first.get_absolute_url() == reverse("courses:module", args=[1])
    assert [lesson.get_absolute_url() for lesson in lessons] == [
        reverse("courses:lesson", args=[1, 1]),
        reverse("courses:lesson", args=[1, 2]),
    ]
