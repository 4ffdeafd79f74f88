from __future__ import annotations

from datetime import datetime

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import identify_hasher
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import ForeignObjectRel

from accounts.models import User


@transaction.atomic
def user_create(
    *,
    email: str,
    username: str,
    role: str,
    full_name: str = "",
    password_hash: str | None = None,
    created_at: datetime | None = None,
    email_verified: bool = False,
) -> User:
    """Create an account: validated like every form (role, lengths, email and username unique
    ignoring case), nothing saved when anything is wrong.

    `password_hash` is a hash from `make_password` (so many accounts can share one slow bcrypt
    round); a plain password is refused rather than stored. Without one the account has an
    unusable password until it is reset. `email_verified` records the address as confirmed
    (accounts an operator vouches for, such as the demo school's, where mandatory verification
    would otherwise wait for mail that never comes).
    """
    user = User(
        email=(email or "").strip().lower(),
        username=(username or "").strip(),
        full_name=(full_name or "").strip() or None,
        role=role,
    )
    if password_hash is None:
        user.set_unusable_password()
    else:
        try:
            identify_hasher(password_hash)
        except ValueError:
            raise ValidationError({"password": "Expected a password hash (make_password), not a password."}) from None
        user.password = password_hash
    if created_at is not None:
        user.created_at = created_at
    user.full_clean(exclude=["password"])
    try:
        with transaction.atomic():
            user.save(force_insert=True)
    except IntegrityError as error:  # a simultaneous sign-up took the email or username first
        raise ValidationError("An account with this email address or username already exists.") from error
    if email_verified:
        EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
    return user


@transaction.atomic
def user_delete(*, user: User) -> None:
    """Delete a user and, through the database's ON DELETE CASCADE, everything that is theirs.

    The schema keeps some references without ON DELETE (who created a cohort, added a resource,
    graded a submission): those rows belong to others, so the reference is cleared first. They are
    found from the model graph, so this app needs to know none of the apps that point at users.
    """
    for relation in User._meta.get_fields(include_hidden=True):  # hidden: related_name="+" too
        if isinstance(relation, ForeignObjectRel) and relation.on_delete is models.DO_NOTHING and relation.field.null:
            name = relation.field.name
            relation.related_model._base_manager.filter(**{name: user}).update(**{name: None})
    user.delete()


@transaction.atomic
def profile_update(*, user: User, full_name: str, username: str) -> User:
    user.full_name = full_name.strip() or None
    user.username = username.strip()
    user.full_clean(exclude=["password"])
    user.save(update_fields=["full_name", "username", "updated_at"])
    return user
