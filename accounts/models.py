from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.db import models
from django.db.models.functions import Lower

from common.fields import choices_check, created_at, seed_boolean, updated_at, uuid_primary_key


class Role(models.TextChoices):
    STUDENT = "student", "Student"
    TEACHER = "teacher", "Teacher"
    ADMIN = "admin", "Admin"


# What a teacher may do in the admin, by "app_label.model": content authoring and grading, never
# users or roles. Admins may do everything; students nothing.
TEACHER_PERMISSIONS: dict[str, set[str]] = {
    "courses.module": {"add", "change", "delete", "view"},
    "courses.lesson": {"add", "change", "delete", "view"},
    "courses.learningresource": {"add", "change", "delete", "view"},
    "courses.userprogress": {"view"},
    "assessments.assessment": {"add", "change", "delete", "view"},
    "assessments.quizattempt": {"view"},
    "assessments.codesubmission": {"change", "view"},
    "assessments.peerreview": {"view"},
    "community.cohort": {"add", "change", "view"},
    "community.cohortmember": {"delete", "view"},  # admins enrol; teachers remove (community.services)
    "community.forumpost": {"change", "view"},
    "community.achievement": {"view"},
}


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, username: str, password: str | None, **fields):
        if not email:
            raise ValueError("An email address is required")
        if not username:
            raise ValueError("A username is required")
        user = self.model(email=self.normalize_email(email).lower(), username=username, **fields)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_user(self, email: str, username: str, password: str | None = None, **fields):
        fields.setdefault("role", Role.STUDENT)
        return self._create_user(email, username, password, **fields)

    def create_superuser(self, email: str, username: str, password: str | None = None, **fields):
        fields["role"] = Role.ADMIN
        return self._create_user(email, username, password, **fields)

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)


class User(AbstractBaseUser):
    """An account on the `users` table. `role` is the single source of truth for access."""

    id = uuid_primary_key()
    email = models.EmailField(max_length=255)
    username = models.CharField(
        max_length=50,
        validators=[UnicodeUsernameValidator()],
        help_text="Shown to other learners: 3–50 letters, digits and @/./+/-/_ only.",
    )
    password = models.CharField("password", max_length=255, db_column="password_hash")
    full_name = models.CharField(max_length=100, null=True, blank=True)
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.STUDENT, db_default=Role.STUDENT)
    is_active = seed_boolean(True)
    created_at = created_at()
    updated_at = updated_at()
    last_login = models.DateTimeField(null=True, blank=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["username"]

    class Meta:
        db_table = "users"
        ordering = ["username"]
        constraints = [
            models.UniqueConstraint(fields=["email"], name="users_email_key"),
            models.UniqueConstraint(fields=["username"], name="users_username_key"),
            # Case-insensitive duplicates ("Ann@x.org" vs "ann@x.org") are the same person.
            models.UniqueConstraint(
                Lower("email"),
                name="users_email_lower_key",
                violation_error_message="An account with this email address already exists.",
            ),
            models.UniqueConstraint(
                Lower("username"),
                name="users_username_lower_key",
                violation_error_message="This username is taken (names are compared ignoring case).",
            ),
            choices_check("role", Role, "users"),
        ]
        indexes = [
            models.Index(fields=["email"], name="idx_users_email"),
            models.Index(fields=["role"], name="idx_users_role"),
        ]

    def __str__(self) -> str:
        return self.username

    def clean(self):
        super().clean()
        if self.email:
            self.email = self.email.strip().lower()

    @property
    def display_name(self) -> str:
        return self.full_name or self.username

    @property
    def is_admin(self) -> bool:
        return bool(self.is_active) and self.role == Role.ADMIN

    @property
    def is_teacher(self) -> bool:
        return bool(self.is_active) and self.role == Role.TEACHER

    @property
    def is_student(self) -> bool:
        return self.role == Role.STUDENT

    @property
    def is_staff(self) -> bool:
        """Whether the admin site opens for this user (teachers and admins)."""
        return bool(self.is_active) and self.role in (Role.TEACHER, Role.ADMIN)

    @property
    def is_superuser(self) -> bool:
        return self.is_admin

    def has_perm(self, perm: str, obj=None) -> bool:
        if not self.is_active:
            return False
        if self.role == Role.ADMIN:
            return True
        if self.role != Role.TEACHER:
            return False
        app_label, _, codename = perm.partition(".")
        action, _, model = codename.partition("_")
        return action in TEACHER_PERMISSIONS.get(f"{app_label}.{model}", set())

    def has_perms(self, perm_list, obj=None) -> bool:
        return all(self.has_perm(perm, obj) for perm in perm_list)

    def has_module_perms(self, app_label: str) -> bool:
        if not self.is_active:
            return False
        if self.role == Role.ADMIN:
            return True
        return self.role == Role.TEACHER and any(key.startswith(f"{app_label}.") for key in TEACHER_PERMISSIONS)
