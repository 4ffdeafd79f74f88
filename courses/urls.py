from django.urls import path

from courses import views

app_name = "courses"

urlpatterns = [
    path("modules/", views.catalog, name="catalog"),
    path("modules/<int:module_id>/", views.module_detail, name="module"),
    path("modules/<int:module_id>/lessons/<int:position>/", views.lesson_detail, name="lesson"),
    path("modules/<int:module_id>/lessons/<int:position>/complete/", views.lesson_complete, name="lesson_complete"),
    path("modules/<int:module_id>/heartbeat/", views.heartbeat, name="heartbeat"),
    path("modules/<int:module_id>/resources/<uuid:resource_id>/vote/", views.resource_vote, name="resource_vote"),
    path("dashboard/", views.dashboard, name="dashboard"),
]
