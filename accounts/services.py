from django.db import models, transaction
from django.db.models import ForeignObjectRel

from accounts.models import User


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
