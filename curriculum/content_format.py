"""Read, validate and write the curriculum content files (see curriculum/content/FORMAT.md).

Pure Python (no Django models): `manage.py validate_curriculum` checks the files, and runs every
coding task in the sandbox, before anything touches a database.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import yaml

from assessments.answers import accepted_answers
from sandbox.grading import coding_tests_problem

CONTENT_DIR = Path(__file__).resolve().parent / "content"
TRACKS = ("user", "power-user", "developer", "architect")
LESSON_TYPES = ("reading", "video", "interactive", "coding")
QUESTION_TYPES = ("multiple-choice", "true-false", "short-answer", "coding-task")
RESOURCE_TYPES = ("video", "article", "tutorial", "documentation")
DIFFICULTIES = ("beginner", "intermediate", "advanced")
ACHIEVEMENT_CATEGORIES = ("completion", "score", "engagement", "helper")
CRITERIA_TYPES = {
    "modules_completed": {"count"},
    "track_completed": {"track"},
    "quiz_score": {"min_percent"},
    "lessons_completed": {"count"},
    "forum_posts": {"count"},
    "upvotes_received": {"count"},
    "solutions_accepted": {"count"},
    "peer_reviews": {"count"},
    "code_submissions_graded": {"count"},
    "backtests_run": {"count"},
}
CRITERIA_OPTIONAL = {"track", "count", "helpful", "min_grade", "min_percent"}
MIN_LESSON_WORDS = 500
ASSESSMENTS_PER_MODULE = 10
CODING_TASK_MODULES = range(11, 18)

_FENCE = re.compile(r"^(```|~~~).*?^\1\s*$", re.MULTILINE | re.DOTALL)
_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’\-]*")
_MODULE_DIR = re.compile(r"^(\d{2})-[a-z0-9-]+$")
_LESSON_FILE = re.compile(r"^(\d{2})-[a-z0-9-]+\.md$")


class ContentError(Exception):
    """One or more problems in the content files; each names its file."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass
class LessonData:
    order_index: int
    slug: str
    title: str
    lesson_type: str
    content: str

    @property
    def prose_words(self) -> int:
        return prose_word_count(self.content)

    @property
    def estimated_minutes(self) -> int:
        return estimate_minutes(self.content, self.lesson_type)


@dataclass
class AssessmentData:
    order_index: int
    question_type: str
    question_text: str
    correct_answer: str | None
    explanation: str
    points: int = 10
    options: dict | None = None
    starter_code: str = ""
    test_code: str = ""
    reference_solution: str = ""


@dataclass
class ResourceData:
    title: str
    url: str
    resource_type: str
    difficulty: str


@dataclass
class ModuleData:
    id: int
    slug: str
    title: str
    track: str
    prerequisites: list[int]
    description: str
    lessons: list[LessonData] = field(default_factory=list)
    assessments: list[AssessmentData] = field(default_factory=list)
    resources: list[ResourceData] = field(default_factory=list)

    @property
    def total_minutes(self) -> int:
        return sum(lesson.estimated_minutes for lesson in self.lessons)

    @property
    def duration_hours(self) -> float:
        return round(self.total_minutes / 60, 2)


@dataclass
class AchievementData:
    name: str
    description: str
    icon: str
    category: str
    points: int
    criteria: dict


def prose_word_count(markdown_text: str) -> int:
    return len(_WORD.findall(_FENCE.sub(" ", markdown_text)))


def estimate_minutes(markdown_text: str, lesson_type: str) -> int:
    code_blocks = len(_FENCE.findall(markdown_text))
    minutes = prose_word_count(markdown_text) / 200 + 2 * code_blocks
    if lesson_type in ("interactive", "coding"):
        minutes *= 1.5
    return max(1, math.ceil(minutes))


# --- reading -----------------------------------------------------------------------------------


def _read_yaml(path: Path, problems: list[str]):
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        problems.append(f"{path}: file is missing")
    except UnicodeDecodeError:
        problems.append(f"{path}: not UTF-8 text")
    except yaml.YAMLError as exc:
        problems.append(f"{path}: invalid YAML: {exc}".replace("\n", " "))
    return None


def _split_front_matter(path: Path, text: str, problems: list[str]) -> tuple[dict, str] | None:
    if not text.startswith("---\n"):
        problems.append(f"{path}: must start with a '---' front matter block")
        return None
    end = text.find("\n---\n", 4)
    if end < 0:
        problems.append(f"{path}: front matter block is not closed with '---'")
        return None
    try:
        meta = yaml.safe_load(text[4:end]) or {}
    except yaml.YAMLError as exc:
        problems.append(f"{path}: invalid front matter: {exc}".replace("\n", " "))
        return None
    if not isinstance(meta, dict):
        problems.append(f"{path}: front matter must be a mapping")
        return None
    return meta, text[end + 5 :].strip() + "\n"


def _require_text(path: Path, where: str, value, problems: list[str], max_length: int | None = None) -> str:
    if not isinstance(value, str) or not value.strip():
        problems.append(f"{path}: {where} must be non-empty text")
        return ""
    if max_length and len(value) > max_length:
        problems.append(f"{path}: {where} is longer than {max_length} characters")
    return value


def read_lesson(path: Path, problems: list[str]) -> LessonData | None:
    match = _LESSON_FILE.match(path.name)
    if not match:
        problems.append(f"{path}: lesson file names must look like 01-some-title.md")
        return None
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        problems.append(f"{path}: not UTF-8 text")
        return None
    split = _split_front_matter(path, text, problems)
    if split is None:
        return None
    meta, body = split
    unknown = set(meta) - {"title", "lesson_type"}
    if unknown:
        problems.append(f"{path}: unknown front matter keys {sorted(unknown)}")
    title = _require_text(path, "title", meta.get("title"), problems, 200)
    lesson_type = meta.get("lesson_type", "reading")
    if lesson_type not in LESSON_TYPES:
        problems.append(f"{path}: lesson_type {lesson_type!r} is not one of {', '.join(LESSON_TYPES)}")
    lesson = LessonData(int(match.group(1)), path.stem[3:], title, lesson_type, body)
    words = lesson.prose_words
    if words < MIN_LESSON_WORDS:
        problems.append(f"{path}: has {words} words of prose, at least {MIN_LESSON_WORDS} are required")
    if "## Key takeaways" not in body:
        problems.append(f"{path}: needs a '## Key takeaways' section")
    if lesson_type == "video" and "## Transcript" not in body:
        problems.append(f"{path}: a video lesson needs a '## Transcript' section")
    return lesson


def _read_assessment(path: Path, index: int, item, problems: list[str]) -> AssessmentData | None:
    where = f"assessment {index}"
    if not isinstance(item, dict):
        problems.append(f"{path}: {where} must be a mapping")
        return None
    qtype = item.get("type")
    if qtype not in QUESTION_TYPES:
        problems.append(f"{path}: {where} type {qtype!r} is not one of {', '.join(QUESTION_TYPES)}")
        return None
    allowed = {"type", "question", "answer", "explanation", "points", "options"}
    if qtype == "coding-task":
        allowed = {"type", "question", "explanation", "points", "starter_code", "tests", "solution"}
    unknown = set(item) - allowed
    if unknown:
        problems.append(f"{path}: {where} has unknown keys {sorted(unknown)}")
    question = _require_text(path, f"{where} question", item.get("question"), problems)
    explanation = _require_text(path, f"{where} explanation", item.get("explanation"), problems)
    points = item.get("points", 10)
    if not isinstance(points, int) or isinstance(points, bool) or not 1 <= points <= 100:
        problems.append(f"{path}: {where} points must be a whole number from 1 to 100")
        points = 10
    data = AssessmentData(index, qtype, question, None, explanation, points)
    answer = item.get("answer")
    if qtype == "multiple-choice":
        options = item.get("options")
        if (
            not isinstance(options, dict)
            or sorted(options) != ["A", "B", "C", "D"]
            or not all(isinstance(v, str) and v.strip() for v in options.values())
        ):
            problems.append(f"{path}: {where} options must map A, B, C and D to non-empty text")
        elif answer not in options:
            problems.append(f"{path}: {where} answer {answer!r} is not one of the option keys")
        data.options = options
        data.correct_answer = answer
    elif qtype == "true-false":
        if answer not in ("true", "false"):
            problems.append(f"{path}: {where} answer must be the text 'true' or 'false' (quote it in YAML)")
        data.correct_answer = answer
    elif qtype == "short-answer":
        if not isinstance(answer, str) or not accepted_answers(answer):
            problems.append(f"{path}: {where} answer must list accepted answers separated by |")
        data.correct_answer = answer
    else:
        for key in ("starter_code", "tests", "solution"):
            _require_text(path, f"{where} {key}", item.get(key), problems)
        data.starter_code = item.get("starter_code") or ""
        data.test_code = item.get("tests") or ""
        data.reference_solution = item.get("solution") or ""
        problem = coding_tests_problem(data.test_code) if data.test_code else None
        if problem:
            problems.append(f"{path}: {where} tests {problem}")
    return data


def _read_resource(path: Path, index: int, item, problems: list[str]) -> ResourceData | None:
    where = f"resource {index}"
    if not isinstance(item, dict):
        problems.append(f"{path}: {where} must be a mapping")
        return None
    title = _require_text(path, f"{where} title", item.get("title"), problems, 200)
    url = _require_text(path, f"{where} url", item.get("url"), problems, 500)
    parsed = urlparse(url)
    if url and (parsed.scheme != "https" or not parsed.netloc or " " in url):
        problems.append(f"{path}: {where} url {url!r} must be a well-formed https:// address")
    rtype, difficulty = item.get("resource_type"), item.get("difficulty")
    if rtype not in RESOURCE_TYPES:
        problems.append(f"{path}: {where} resource_type {rtype!r} is not one of {', '.join(RESOURCE_TYPES)}")
    if difficulty not in DIFFICULTIES:
        problems.append(f"{path}: {where} difficulty {difficulty!r} is not one of {', '.join(DIFFICULTIES)}")
    return ResourceData(title, url, rtype, difficulty)


def read_module(folder: Path, problems: list[str]) -> ModuleData | None:
    match = _MODULE_DIR.match(folder.name)
    if not match:
        problems.append(f"{folder}: module folders must be named like 01-some-title")
        return None
    meta_path = folder / "module.yaml"
    meta = _read_yaml(meta_path, problems)
    if meta is None:
        return None
    if not isinstance(meta, dict):
        problems.append(f"{meta_path}: must be a mapping")
        return None
    unknown = set(meta) - {"id", "title", "track", "prerequisites", "description", "resources"}
    if unknown:
        problems.append(f"{meta_path}: unknown keys {sorted(unknown)}")
    module_id = meta.get("id")
    if module_id != int(match.group(1)):
        problems.append(f"{meta_path}: id {module_id!r} does not match the folder number {match.group(1)}")
        return None
    track = meta.get("track")
    if track not in TRACKS:
        problems.append(f"{meta_path}: track {track!r} is not one of {', '.join(TRACKS)}")
    prerequisites = meta.get("prerequisites") or []
    if not isinstance(prerequisites, list) or not all(
        isinstance(p, int) and not isinstance(p, bool) for p in prerequisites
    ):
        problems.append(f"{meta_path}: prerequisites must be a list of module ids")
        prerequisites = []
    elif any(p >= module_id or p < 1 for p in prerequisites):
        problems.append(f"{meta_path}: prerequisites must be earlier modules, got {prerequisites}")
    module = ModuleData(
        id=module_id,
        slug=folder.name[3:],
        title=_require_text(meta_path, "title", meta.get("title"), problems, 200),
        track=track,
        prerequisites=prerequisites,
        description=_require_text(meta_path, "description", meta.get("description"), problems),
    )
    resources = meta.get("resources") or []
    if not isinstance(resources, list) or len(resources) < 3:
        problems.append(f"{meta_path}: needs at least 3 resources")
        resources = resources if isinstance(resources, list) else []
    module.resources = [
        res for i, item in enumerate(resources, 1) if (res := _read_resource(meta_path, i, item, problems))
    ]

    lesson_dir = folder / "lessons"
    lesson_paths = sorted(lesson_dir.glob("*.md")) if lesson_dir.is_dir() else []
    if not 4 <= len(lesson_paths) <= 7:
        problems.append(f"{lesson_dir}: needs 4 to 7 lessons, found {len(lesson_paths)}")
    module.lessons = [lesson for p in lesson_paths if (lesson := read_lesson(p, problems))]
    orders = [lesson.order_index for lesson in module.lessons]
    if orders != list(range(1, len(orders) + 1)):
        problems.append(f"{lesson_dir}: lessons must be numbered 01, 02, ... without gaps, found {orders}")

    assessments_path = folder / "assessments.yaml"
    items = _read_yaml(assessments_path, problems)
    if items is not None:
        if not isinstance(items, list) or len(items) != ASSESSMENTS_PER_MODULE:
            count = len(items) if isinstance(items, list) else "no list"
            problems.append(f"{assessments_path}: needs exactly {ASSESSMENTS_PER_MODULE} assessments, found {count}")
            items = items if isinstance(items, list) else []
        module.assessments = [
            a for i, item in enumerate(items, 1) if (a := _read_assessment(assessments_path, i, item, problems))
        ]
        if module_id in CODING_TASK_MODULES and not any(a.question_type == "coding-task" for a in module.assessments):
            problems.append(f"{assessments_path}: modules 11-17 need at least one coding-task")
    return module


def read_achievements(path: Path, problems: list[str]) -> list[AchievementData]:
    items = _read_yaml(path, problems)
    if items is None:
        return []
    if not isinstance(items, list):
        problems.append(f"{path}: must be a list")
        return []
    result, names = [], set()
    for index, item in enumerate(items, 1):
        where = f"achievement {index}"
        if not isinstance(item, dict):
            problems.append(f"{path}: {where} must be a mapping")
            continue
        name = _require_text(path, f"{where} name", item.get("name"), problems, 100)
        if name in names:
            problems.append(f"{path}: {where} name {name!r} is used twice")
        names.add(name)
        category = item.get("category")
        if category not in ACHIEVEMENT_CATEGORIES:
            problems.append(f"{path}: {where} category {category!r} is not one of {', '.join(ACHIEVEMENT_CATEGORIES)}")
        points = item.get("points", 0)
        if not isinstance(points, int) or isinstance(points, bool) or points < 0:
            problems.append(f"{path}: {where} points must be a whole number of at least 0")
        criteria = item.get("criteria")
        problem = criteria_problem(criteria)
        if problem:
            problems.append(f"{path}: {where} criteria: {problem}")
        result.append(
            AchievementData(
                name=name,
                description=_require_text(path, f"{where} description", item.get("description"), problems),
                icon=_require_text(path, f"{where} icon", item.get("icon"), problems, 50),
                category=category,
                points=points,
                criteria=criteria,
            )
        )
    return result


def criteria_problem(criteria) -> str | None:
    """Why `criteria` does not follow the grammar in FORMAT.md, or None when it does."""
    if not isinstance(criteria, dict) or criteria.get("type") not in CRITERIA_TYPES:
        return f"must be a mapping whose type is one of {', '.join(sorted(CRITERIA_TYPES))}"
    required = CRITERIA_TYPES[criteria["type"]]
    missing = required - set(criteria)
    if missing:
        return f"{criteria['type']} needs {', '.join(sorted(missing))}"
    unknown = set(criteria) - required - CRITERIA_OPTIONAL - {"type"}
    if unknown:
        return f"unknown keys {sorted(unknown)}"
    for key in ("count", "min_grade"):
        if key in criteria and (not isinstance(criteria[key], int) or criteria[key] < 1):
            return f"{key} must be a whole number of at least 1"
    if "min_percent" in criteria and not (
        isinstance(criteria["min_percent"], int) and 0 < criteria["min_percent"] <= 100
    ):
        return "min_percent must be a whole number from 1 to 100"
    if "track" in criteria and criteria["track"] not in TRACKS:
        return f"track must be one of {', '.join(TRACKS)}"
    return None


@dataclass
class Curriculum:
    modules: list[ModuleData]
    achievements: list[AchievementData]


def read_curriculum(root: Path = CONTENT_DIR) -> Curriculum:
    """Read and validate everything under `root`; raise ContentError listing every problem."""
    problems: list[str] = []
    module_root = root / "modules"
    folders = sorted(p for p in module_root.iterdir() if p.is_dir()) if module_root.is_dir() else []
    if not folders:
        problems.append(f"{module_root}: no module folders found")
    modules = [m for f in folders if (m := read_module(f, problems))]
    ids = [m.id for m in modules]
    if len(set(ids)) != len(ids):
        problems.append(f"{module_root}: module ids are used twice: {ids}")
    known = set(ids)
    for module in modules:
        missing = [p for p in module.prerequisites if p not in known]
        if missing:
            problems.append(f"{module_root / (f'{module.id:02d}-' + module.slug)}: unknown prerequisites {missing}")
    achievements = read_achievements(root / "achievements.yaml", problems)
    if problems:
        raise ContentError(problems)
    return Curriculum(modules=modules, achievements=achievements)


# --- writing -----------------------------------------------------------------------------------


class _LiteralDumper(yaml.SafeDumper):
    """Block scalars for multi-line text and indented lists: the layout authors write by hand."""

    def increase_indent(self, flow=False, indentless=False):
        return super().increase_indent(flow, False)


def _str_representer(dumper, value: str):
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_LiteralDumper.add_representer(str, _str_representer)


def _dump_yaml(data) -> str:
    return yaml.dump(data, Dumper=_LiteralDumper, sort_keys=False, allow_unicode=True, width=100)


def assessment_to_dict(a: AssessmentData) -> dict:
    item: dict = {"type": a.question_type, "question": a.question_text}
    if a.question_type == "multiple-choice":
        item["options"] = a.options
    if a.question_type == "coding-task":
        item.update(starter_code=a.starter_code, tests=a.test_code, solution=a.reference_solution)
    else:
        item["answer"] = a.correct_answer
    item["explanation"] = a.explanation
    if a.points != 10:
        item["points"] = a.points
    return item


def write_curriculum(curriculum: Curriculum, root: Path) -> list[Path]:
    """Write `curriculum` under `root` in the format read_curriculum reads; return the files."""
    written: list[Path] = []

    def write(path: Path, text: str) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)

    for m in curriculum.modules:
        folder = root / "modules" / f"{m.id:02d}-{m.slug}"
        meta = {
            "id": m.id,
            "title": m.title,
            "track": m.track,
            "prerequisites": list(m.prerequisites),
            "description": m.description,
            "resources": [
                {"title": r.title, "url": r.url, "resource_type": r.resource_type, "difficulty": r.difficulty}
                for r in m.resources
            ],
        }
        write(folder / "module.yaml", _dump_yaml(meta))
        for lesson in m.lessons:
            front = _dump_yaml({"title": lesson.title, "lesson_type": lesson.lesson_type})
            write(
                folder / "lessons" / f"{lesson.order_index:02d}-{lesson.slug}.md",
                f"---\n{front}---\n\n{lesson.content.strip()}\n",
            )
        write(folder / "assessments.yaml", _dump_yaml([assessment_to_dict(a) for a in m.assessments]))
    write(
        root / "achievements.yaml",
        _dump_yaml(
            [
                {
                    "name": a.name,
                    "description": a.description,
                    "icon": a.icon,
                    "category": a.category,
                    "points": a.points,
                    "criteria": a.criteria,
                }
                for a in curriculum.achievements
            ]
        ),
    )
    return written


# --- checks for authors ----------------------------------------------------------------------


def run_coding_task(assessment: AssessmentData, code: str) -> tuple[bool, str]:
    """Grade `code` against the task's tests in the sandbox; (all passed, what went wrong)."""
    from sandbox import TaskSpecError, grade

    try:
        result = grade(assessment.test_code, code)
    except TaskSpecError as exc:
        return False, f"the task's tests are broken: {exc}"
    failures = [f"{t.name}: {t.message}" for t in result.tests if t.status != "pass"]
    return result.passed, result.message or "; ".join(failures)


@dataclass
class Validation:
    modules: list[ModuleData]
    problems: list[str]


def validate_curriculum(root: Path = CONTENT_DIR, *, module: int | None = None, run_code: bool = True) -> Validation:
    """Every problem in the files; with `run_code`, each coding task's reference solution must pass
    its hidden tests in the sandbox and its starter code must fail them."""
    problems: list[str] = []
    folders = sorted((root / "modules").glob("[0-9][0-9]-*"))
    if module is not None:
        folders = [f for f in folders if f.name.startswith(f"{module:02d}-")]
        if not folders:
            problems.append(f"{root / 'modules'}: there is no module {module}")
    modules = []
    for folder in folders:
        data = read_module(folder, problems)
        if not data:
            continue
        modules.append(data)
        for a in data.assessments if run_code else []:
            if a.question_type != "coding-task":
                continue
            ok, output = run_coding_task(a, a.reference_solution)
            if not ok:
                problems.append(f"{folder}: assessment {a.order_index} reference solution fails: {output}")
            ok, _ = run_coding_task(a, a.starter_code)
            if ok:
                problems.append(f"{folder}: assessment {a.order_index} starter code passes the tests; it must fail")
    return Validation(modules, problems)
