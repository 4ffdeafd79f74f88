from django.urls import path

from assessments import views

app_name = "assessments"

urlpatterns = [
    path("modules/<int:module_id>/quiz/", views.quiz, name="quiz"),
    path("modules/<int:module_id>/quiz/attempts/", views.quiz_history, name="quiz_history"),
    path("modules/<int:module_id>/quiz/attempts/<uuid:sitting_id>/", views.quiz_result, name="quiz_result"),
]
