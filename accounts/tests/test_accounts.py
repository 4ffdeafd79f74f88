import re
from io import StringIO

import pytest
from django.contrib.auth.hashers import check_password
from django.core import mail
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse

from accounts.models import Role, User
from accounts.tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

REAL_HASHERS = [
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
SIGNUP = {
    "email": "New.Learner@Example.org",
    "username": "newlearner",
    "password1": "a-long-and-unusual-passphrase",
    "password2": "a-long-and-unusual-passphrase",
}


@override_settings(PASSWORD_HASHERS=REAL_HASHERS)
def test_passwords_are_stored_as_bcrypt_hashes(client):
    client.post(reverse("account_signup"), SIGNUP)
    user = User.objects.get(username="newlearner")
    assert user.password.startswith("bcrypt_sha256$$2b$")
    assert check_password(SIGNUP["password1"], user.password)
    with pytest.raises(User.DoesNotExist):
        User.objects.get(password=SIGNUP["password1"])


def test_signup_creates_a_student_and_signs_in(client):
    response = client.post(reverse("account_signup"), SIGNUP, follow=True)
    user = User.objects.get(username="newlearner")
    assert user.email == "new.learner@example.org"
    assert user.role == Role.STUDENT
    assert response.context["user"] == user
    assert b"Signed in as" in response.content


def test_signup_cannot_choose_a_role(client):
    client.post(reverse("account_signup"), {**SIGNUP, "role": "admin"})
    assert User.objects.get(username="newlearner").role == Role.STUDENT


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"email": "not-an-email"}, "email", "valid email"),
        ({"username": "ab"}, "username", "at least 3"),
        ({"username": "x" * 51}, "username", "at most 50"),
        ({"password2": "something-else-entirely"}, "password2", "same password"),
        ({"password1": "short", "password2": "short"}, "password1", "too short"),
        ({"username": "<script>alert(1)</script>"}, "username", "Enter a valid username"),
    ],
)
def test_signup_rejects_bad_input_with_a_message_next_to_the_field(client, changes, field, message):
    response = client.post(reverse("account_signup"), {**SIGNUP, **changes})
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors.get(field, []))
    assert message.lower() in errors.lower()
    assert not User.objects.exists()


def test_signup_rejects_a_taken_email_and_username_ignoring_case(client):
    UserFactory(email="new.learner@example.org", username="NewLearner")
    response = client.post(reverse("account_signup"), SIGNUP)
    assert response.status_code == 200
    assert User.objects.count() == 1
    assert response.context["form"].errors


def test_login_by_email_and_logout(client):
    user = UserFactory(email="ann@example.org")
    response = client.post(reverse("account_login"), {"login": "ANN@example.org", "password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    assert client.get("/").context["user"] == user
    client.post(reverse("account_logout"))
    assert not client.get("/").context["user"].is_authenticated


def test_login_with_a_wrong_password_is_refused(client):
    UserFactory(email="ann@example.org")
    response = client.post(reverse("account_login"), {"login": "ann@example.org", "password": "wrong-password"})
    assert response.status_code == 200
    assert "not correct" in str(response.context["form"].errors)


def test_inactive_users_cannot_log_in(client):
    UserFactory(email="gone@example.org", is_active=False)
    client.post(reverse("account_login"), {"login": "gone@example.org", "password": DEFAULT_PASSWORD})
    assert not client.get("/").context["user"].is_authenticated


def test_failed_logins_are_rate_limited(client):
    UserFactory(email="ann@example.org")
    for i in range(5):
        response = client.post(reverse("account_login"), {"login": "ann@example.org", "password": f"wrong-{i}"})
        assert "not correct" in str(response.context["form"].errors)
    # Now even the right password is held back, and the page says why.
    response = client.post(reverse("account_login"), {"login": "ann@example.org", "password": DEFAULT_PASSWORD})
    assert "Too many failed login attempts" in str(response.context["form"].errors)
    assert not client.get("/").context["user"].is_authenticated


def test_password_reset_by_email(client):
    user = UserFactory(email="ann@example.org")
    client.post(reverse("account_reset_password"), {"email": "ann@example.org"})
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^\s]+/password/reset/key/[^\s]+", mail.outbox[0].body).group(0)
    path = link.split("testserver", 1)[1]
    form_page = client.get(path, follow=True)
    new_password = "another-long-passphrase-42"
    response = client.post(form_page.redirect_chain[-1][0], {"password1": new_password, "password2": new_password})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(new_password)


def test_password_change(client):
    user = UserFactory()
    client.force_login(user)
    new_password = "a-brand-new-passphrase-7"
    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": DEFAULT_PASSWORD, "password1": new_password, "password2": new_password},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(new_password)


@override_settings(ACCOUNT_EMAIL_VERIFICATION="mandatory")
def test_mandatory_email_verification_holds_the_login_until_confirmed(client):
    response = client.post(reverse("account_signup"), SIGNUP, follow=True)
    assert not response.context["user"].is_authenticated
    assert len(mail.outbox) == 1
    assert "confirm" in mail.outbox[0].subject.lower()


def test_createsuperuser_makes_an_admin_role():
    call_command(
        "createsuperuser",
        "--noinput",
        "--email",
        "Boss@Example.org",
        "--username",
        "boss",
        stdout=StringIO(),
    )
    user = User.objects.get(username="boss")
    assert user.role == Role.ADMIN and user.is_superuser and user.is_staff
    assert user.email == "boss@example.org"


def test_role_is_the_single_source_of_truth_for_access():
    student, teacher, admin = UserFactory(), UserFactory(role=Role.TEACHER), UserFactory(role=Role.ADMIN)
    assert not student.is_staff and not student.has_perm("courses.change_module")
    assert teacher.is_staff and teacher.has_perm("courses.change_module")
    assert not teacher.has_perm("accounts.change_user") and not teacher.has_module_perms("accounts")
    assert admin.has_perm("accounts.change_user") and admin.is_superuser
    admin.is_active = False
    assert not admin.has_perm("accounts.change_user") and not admin.is_staff


def test_user_delete_service_keeps_rows_that_belong_to_others():
    from accounts.services import user_delete
    from courses.tests.factories import LearningResourceFactory

    teacher = UserFactory(role=Role.TEACHER)
    resource = LearningResourceFactory(added_by=teacher)
    user_delete(user=teacher)
    resource.refresh_from_db()
    assert resource.added_by is None
    assert not User.objects.filter(pk=teacher.pk).exists()


@override_settings(ACCOUNT_EMAIL_VERIFICATION="mandatory")
def test_with_mandatory_verification_signup_waits_for_the_emailed_link(client):
    response = client.post(reverse("account_signup"), SIGNUP, follow=True)
    assert not response.context["user"].is_authenticated
    assert len(mail.outbox) == 1 and "confirm" in mail.outbox[0].body.lower()
