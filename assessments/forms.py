from collections.abc import Callable

from django import forms

from assessments.answers import accepted_answers
from assessments.models import Assessment, QuestionType
from sandbox import coding_tests_problem

OPTION_KEYS = ("A", "B", "C", "D")


class AssessmentAdminForm(forms.ModelForm):
    """Multiple-choice options edited as four fields, stored as the `options` JSON object."""

    option_a = forms.CharField(label="Option A", required=False, widget=forms.Textarea(attrs={"rows": 1}))
    option_b = forms.CharField(label="Option B", required=False, widget=forms.Textarea(attrs={"rows": 1}))
    option_c = forms.CharField(label="Option C", required=False, widget=forms.Textarea(attrs={"rows": 1}))
    option_d = forms.CharField(label="Option D", required=False, widget=forms.Textarea(attrs={"rows": 1}))

    class Meta:
        model = Assessment
        fields = (
            "module",
            "order_index",
            "question_type",
            "question_text",
            "option_a",
            "option_b",
            "option_c",
            "option_d",
            "correct_answer",
            "explanation",
            "points",
            "starter_code",
            "test_code",
            "reference_solution",
        )
        widgets = {
            "question_text": forms.Textarea(attrs={"rows": 3}),
            "correct_answer": forms.TextInput(),
            "explanation": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        options = (self.instance.options if self.instance else None) or {}
        for key in OPTION_KEYS:
            self.fields[f"option_{key.lower()}"].initial = options.get(key, "")

    def clean(self):
        data = super().clean()
        qtype = data.get("question_type")
        answer = (data.get("correct_answer") or "").strip()
        options = {key: (data.get(f"option_{key.lower()}") or "").strip() for key in OPTION_KEYS}
        if qtype == QuestionType.MULTIPLE_CHOICE:
            for key, text in options.items():
                if not text:
                    self.add_error(f"option_{key.lower()}", "A multiple-choice question needs all four options.")
            if answer.upper() not in OPTION_KEYS:
                self.add_error("correct_answer", "Give the key of the right option: A, B, C or D.")
            else:
                data["correct_answer"] = answer.upper()
        elif any(options.values()):
            self.add_error("option_a", "Only multiple-choice questions have options; clear them.")
        if qtype == QuestionType.TRUE_FALSE:
            if answer.lower() not in ("true", "false"):
                self.add_error("correct_answer", "A true/false answer is the word true or false.")
            else:
                data["correct_answer"] = answer.lower()
        if qtype == QuestionType.SHORT_ANSWER and not accepted_answers(answer):
            self.add_error("correct_answer", "List the accepted answers separated by |.")
        if qtype == QuestionType.CODING_TASK:
            for name in ("test_code", "reference_solution"):
                if not (data.get(name) or "").strip():
                    self.add_error(name, "A coding task needs hidden tests and a reference solution.")
            problem = (
                coding_tests_problem(data.get("test_code") or "") if (data.get("test_code") or "").strip() else None
            )
            if problem:
                self.add_error("test_code", f"The hidden tests {problem} (see curriculum/content/FORMAT.md).")
        return data

    def save(self, commit=True):
        instance = super().save(commit=False)
        if instance.question_type == QuestionType.MULTIPLE_CHOICE:
            instance.options = {key: self.cleaned_data[f"option_{key.lower()}"].strip() for key in OPTION_KEYS}
        else:
            instance.options = None
        if commit:
            instance.save()
        return instance


class QuizForm(forms.Form):
    """One field per question; the correct answers never reach the page."""

    ticket = forms.CharField(widget=forms.HiddenInput)

    def __init__(
        self,
        *args,
        questions: list[Assessment],
        option_order: Callable[[Assessment], list[str]] | None = None,
        **kwargs,
    ):
        """`option_order(question)` gives the order of a multiple-choice question's option keys
        for this sitting (shuffled); without it they are shown A-D with their letters."""
        super().__init__(*args, **kwargs)
        self.questions = questions
        for number, question in enumerate(questions, 1):
            name = f"q_{question.id}"
            label = f"{number}. {question.question_text}"
            if question.question_type == QuestionType.MULTIPLE_CHOICE:
                options = question.options or {}
                if option_order is None:
                    choices = [(key, f"{key}. {text}") for key, text in sorted(options.items())]
                else:  # no letters: they would only say how the options were shuffled
                    choices = [(key, options[key]) for key in option_order(question) if key in options]
                self.fields[name] = forms.ChoiceField(
                    label=label, choices=choices, widget=forms.RadioSelect, error_messages=_ANSWER_ERRORS
                )
            elif question.question_type == QuestionType.TRUE_FALSE:
                self.fields[name] = forms.ChoiceField(
                    label=label,
                    choices=[("true", "True"), ("false", "False")],
                    widget=forms.RadioSelect,
                    error_messages=_ANSWER_ERRORS,
                )
            else:
                self.fields[name] = forms.CharField(
                    label=label, max_length=500, error_messages=_ANSWER_ERRORS, widget=forms.TextInput()
                )
            self.fields[name].question = question

    def question_fields(self):
        return [self[f"q_{q.id}"] for q in self.questions]

    def answers(self) -> dict[str, str]:
        return {str(q.id): self.cleaned_data[f"q_{q.id}"] for q in self.questions}


_ANSWER_ERRORS = {
    "required": "Answer this question before submitting.",
    "invalid_choice": "Choose one of the options.",
    "max_length": "Keep the answer under 500 characters.",
}
