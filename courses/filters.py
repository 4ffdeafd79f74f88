import django_filters

from courses.models import Difficulty, LearningResource, ResourceType


class ResourceFilter(django_filters.FilterSet):
    resource_type = django_filters.ChoiceFilter(choices=ResourceType.choices, label="Type", empty_label="Any type")
    difficulty = django_filters.ChoiceFilter(choices=Difficulty.choices, label="Difficulty", empty_label="Any level")
    sort = django_filters.OrderingFilter(
        fields=(("upvotes", "votes"), ("created_at", "newest"), ("title", "title")),
        field_labels={"upvotes": "Most votes", "-upvotes": "Most votes", "created_at": "Oldest", "title": "Title"},
        label="Sort by",
        empty_label=None,
    )

    class Meta:
        model = LearningResource
        fields = ["resource_type", "difficulty"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.form.fields.values():
            field.widget.attrs["class"] = "form-select form-select-sm"

    @property
    def qs(self):
        queryset = super().qs
        if not self.form.cleaned_data.get("sort"):
            queryset = queryset.order_by("-upvotes", "title")
        return queryset
