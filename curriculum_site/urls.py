from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpResponseBadRequest, JsonResponse
from django.urls import include, path
from markdownx.views import ImageUploadView, MarkdownifyView

from curriculum_site import views


class UploadView(ImageUploadView):
    """markdownx's upload, answering 400 with the errors to every invalid POST (its own view renders
    a template that does not exist, a 500, when the request is not AJAX) and to a file that only
    claims to be an image (Pillow's error was a 500 too)."""

    def form_invalid(self, form):
        return JsonResponse(form.errors, status=400)

    def form_valid(self, form):
        from PIL import Image, UnidentifiedImageError

        upload = form.files["image"]  # (markdownx's clean() returns the file itself as cleaned_data)
        try:
            with Image.open(upload) as image:
                image.verify()
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
            form.add_error("image", "This file is not a readable JPEG or PNG image.")
            return self.form_invalid(form)
        finally:
            upload.seek(0)
        return JsonResponse({"image_code": f"![]({form.save(commit=True)})"})


class PreviewView(MarkdownifyView):
    """markdownx's preview; a POST without `content` is a 400, not a KeyError (500)."""

    def post(self, request, *args, **kwargs):
        if "content" not in request.POST:
            return HttpResponseBadRequest("Send the Markdown to preview as the form field 'content'.")
        return super().post(request, *args, **kwargs)


# The admin signs in through allauth's login page, so its rate limits cover the admin too.
admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = "Crypto Curriculum — teaching and administration"
admin.site.site_title = "Crypto Curriculum admin"
admin.site.index_title = "Authoring, grading and administration"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon),
    path("", include("courses.urls")),
    path("", include("assessments.urls")),
    path("", include("accounts.urls")),
    path("trading/", include("trading.urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    # The editor's preview and image upload serve authors only (markdownx itself checks nobody).
    path("markdownx/markdownify/", staff_member_required(PreviewView.as_view()), name="markdownx_markdownify"),
    path("markdownx/upload/", staff_member_required(UploadView.as_view()), name="markdownx_upload"),
]

handler403 = "curriculum_site.views.permission_denied"
handler404 = "curriculum_site.views.page_not_found"
handler500 = "curriculum_site.views.server_error"
