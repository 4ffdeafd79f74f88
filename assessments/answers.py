"""How answers are written and compared: pure Python, shared by grading, forms and the content files.

A short-answer question's accepted answers are one text separated by ``|``; a learner's answer
matches one ignoring case and all whitespace ("5000 sats", "5000sats" and " 5000  SATS " are one).
"""

from __future__ import annotations

ACCEPTED_SEPARATOR = "|"


def accepted_answers(text: str | None) -> list[str]:
    """The accepted answers in `text`, in order, without blanks."""
    return [option.strip() for option in (text or "").split(ACCEPTED_SEPARATOR) if option.strip()]


def normalise_short_answer(text: str) -> str:
    return "".join(str(text).split()).casefold()


def short_answer_matches(answer: str, accepted: str | None) -> bool:
    given = normalise_short_answer(answer)
    return any(given == normalise_short_answer(option) for option in accepted_answers(accepted))
