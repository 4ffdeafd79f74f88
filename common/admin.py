"""Admin helpers shared by the apps."""

from django.contrib import admin
from markdownx.models import MarkdownxField
from markdownx.widgets import AdminMarkdownxWidget

# Markdown fields get the live-preview editor.
MARKDOWN_EDITOR = {MarkdownxField: {"widget": AdminMarkdownxWidget}}


def reregister(model, admin_class: type[admin.ModelAdmin]) -> None:
    """Replace the admin registered for `model` by `admin_class` (typically a subclass of it).

    An app higher in the layers uses this to extend a lower app's admin (an inline of its own, a
    narrower queryset) without the lower app importing it.
    """
    admin.site.unregister(model)
    admin.site.register(model, admin_class)
