"""user_create: every account is validated like a form, and nothing is half-saved."""

from datetime import UTC, datetime

import pytest
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError

from accounts.models import Role, User
from accounts.services import user_create
from common.testing import race

pytestmark = pytest.mark.django_db


def test_an_account_is_created_with_a_normalised_email_and_the_given_hash():
    when = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)
    user = user_create(
        email="  Ada.Lovelace@Example.ORG ",
        username="ada",
        role=Role.TEACHER,
        full_name=" Ada Lovelace ",
        password_hash=make_password("analytical-engine-1843"),
        created_at=when,
    )
    user.refresh_from_db()
    assert user.email == "ada.lovelace@example.org" and user.username == "ada"
    assert user.full_name == "Ada Lovelace" and user.role == Role.TEACHER
    assert user.check_password("analytical-engine-1843")
    assert user.created_at == when


def test_without_a_hash_the_password_is_unusable_and_an_empty_name_is_null():
    user = user_create(email="nopass@example.org", username="nopass", role=Role.STUDENT)
    assert not user.has_usable_password()
    assert User.objects.get(pk=user.pk).full_name is None


@pytest.mark.parametrize(
    ("email", "username"),
    [("taken@example.org", "other"), ("TAKEN@example.org", "other"), ("new@example.org", "Taken_User")],
)
def test_a_duplicate_email_or_username_is_refused_ignoring_case(email, username):
    user_create(email="taken@example.org", username="taken_user", role=Role.STUDENT)
    with pytest.raises(ValidationError, match="already exists|taken"):
        user_create(email=email, username=username, role=Role.STUDENT)
    assert User.objects.count() == 1


def test_an_unknown_role_is_refused():
    with pytest.raises(ValidationError) as error:
        user_create(email="boss@example.org", username="boss", role="superuser")
    assert "role" in error.value.message_dict
    assert not User.objects.exists()


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"email": "not-an-email"}, "email"),
        ({"email": ""}, "email"),
        ({"username": ""}, "username"),
        ({"username": "has spaces"}, "username"),
        ({"full_name": "x" * 101}, "full_name"),
    ],
)
def test_invalid_fields_are_refused(fields, field):
    arguments = {"email": "ok@example.org", "username": "ok", "role": Role.STUDENT, **fields}
    with pytest.raises(ValidationError) as error:
        user_create(**arguments)
    assert field in error.value.message_dict
    assert not User.objects.exists()


def test_a_plain_password_is_never_stored_as_a_hash():
    with pytest.raises(ValidationError, match="password hash"):
        user_create(email="p@example.org", username="p", role=Role.STUDENT, password_hash="hunter2")
    assert not User.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_sign_ups_with_one_email_make_one_account():
    results, errors = race(
        lambda n: user_create(email="same@example.org", username=f"same{n}", role=Role.STUDENT), range(4)
    )
    assert len(results) == 1 and len(errors) == 3
    assert all(isinstance(e, ValidationError) for e in errors)
    assert User.objects.filter(email="same@example.org").count() == 1
