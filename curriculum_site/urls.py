from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.contrib.admin.views.decorators import staff_member_required
from django.urls import include, path
from markdownx.views import ImageUploadView, MarkdownifyView

from curriculum_site import views

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
    path("markdownx/markdownify/", staff_member_required(MarkdownifyView.as_view()), name="markdownx_markdownify"),
    path("markdownx/upload/", staff_member_required(ImageUploadView.as_view()), name="markdownx_upload"),
]

handler403 = "curriculum_site.views.permission_denied"
handler404 = "curriculum_site.views.page_not_found"
handler500 = "curriculum_site.views.server_error"
