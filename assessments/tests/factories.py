import factory

from accounts.tests.factories import UserFactory
from assessments.models import Assessment, CodeSubmission, QuestionType, QuizAttempt
from courses.tests.factories import ModuleFactory


class AssessmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assessment

    module = factory.SubFactory(ModuleFactory)
    question_text = factory.Sequence(lambda n: f"Question {n}?")
    question_type = QuestionType.MULTIPLE_CHOICE
    options = factory.LazyFunction(lambda: {"A": "one", "B": "two", "C": "three", "D": "four"})
    correct_answer = "B"
    explanation = "Because two."
    order_index = factory.Sequence(lambda n: n + 1)


class QuizAttemptFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = QuizAttempt

    user = factory.SubFactory(UserFactory)
    assessment = factory.SubFactory(AssessmentFactory)
    user_answer = "B"
    is_correct = True
    points_earned = 10
    time_spent_seconds = 30


class CodeSubmissionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CodeSubmission

    user = factory.SubFactory(UserFactory)
    assessment = factory.SubFactory(AssessmentFactory, question_type=QuestionType.CODING_TASK, options=None)
    file_uploads = factory.LazyFunction(lambda: {"solution.py": "def f():\n    return 1\n"})
