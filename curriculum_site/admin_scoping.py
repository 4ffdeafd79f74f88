"""Teachers see, in the admin, the learners of the cohorts they teach; admins see everyone."""

from community.selectors import taught_students


class TaughtStudentsOnly:
    """For a ModelAdmin: `student_path` is the lookup from the model to its learner's id."""

    student_path = "user_id"

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        user = request.user
        if user.is_teacher:
            queryset = queryset.filter(**{f"{self.student_path}__in": taught_students(user)})
        return queryset
