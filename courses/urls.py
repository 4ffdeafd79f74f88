from django.urls import path

from assessments import views as quiz_views
from courses import views

app_name = "courses"

urlpatterns = [
    path("modules/", views.catalog, name="catalog"),
    path("modules/<int:module_id>/", views.module_detail, name="module"),
    path("modules/<int:module_id>/lessons/<int:position>/", views.lesson_detail, name="lesson"),
    path("modules/<int:module_id>/lessons/<int:position>/complete/", views.lesson_complete, name="lesson_complete"),
    path("modules/<int:module_id>/heartbeat/", views.heartbeat, name="heartbeat"),
    path("modules/<int:module_id>/resources/<uuid:resource_id>/vote/", views.resource_vote, name="resource_vote"),
    path("modules/<int:module_id>/quiz/", quiz_views.quiz, name="quiz"),
    path("modules/<int:module_id>/quiz/attempts/", quiz_views.quiz_history, name="quiz_history"),
    path("modules/<int:module_id>/quiz/attempts/<uuid:sitting_id>/", quiz_views.quiz_result, name="quiz_result"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("profile/", views.profile, name="profile"),
]
