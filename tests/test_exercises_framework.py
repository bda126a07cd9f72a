import importlib
import pkgutil
import re
import textwrap

import nbformat
import numpy as np
import pytest

import creative_lib.exercises

from creative_lib import authoring, stored
from creative_lib.exercises import core
from creative_lib.exercises.core import Case, Question


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def sigmoid_by_hand(x):
    return 1 / (1 + np.exp(-x))


@pytest.fixture
def question():
    core.DECLARED.pop(__name__, None)
    yield Question("q1", "Sigmoid", [Case((np.array([0.0]),), label="x = [0]"),
                                     Case((np.array([-2.0, 3.0]),), label="x = [-2, 3]")],
                   reference=sigmoid, hint="Use np.exp.", solution=sigmoid_by_hand)
    core.DECLARED.pop(__name__, None)


def test_correct_answer_passes(question, capsys):
    assert question.check(sigmoid) is True
    assert "Correct" in capsys.readouterr().out


def test_wrong_answer_names_the_case_the_expected_value_and_the_result(question, capsys):
    assert question.check(lambda x: np.tanh(x)) is False
    out = capsys.readouterr().out
    assert "case 1 of 2 (x = [0])" in out and "expected" in out and "got" in out and "0.5" in out


def test_wrong_shape_is_explained(question, capsys):
    question.check(lambda x: sigmoid(x)[None])
    assert "shape (1, 1), expected shape (1,)" in capsys.readouterr().out


def test_unattempted_exercise_says_so_without_raising(question, capsys):
    def todo(x):
        raise NotImplementedError
    assert question.check(todo) is False
    assert "not attempted yet" in capsys.readouterr().out
    assert question.status == "not attempted"


def test_student_exception_is_reported_with_its_case(question, capsys):
    question.check(lambda x: x["oops"])
    assert "case 1 of 2" in capsys.readouterr().out


def test_student_cannot_corrupt_the_reference_input(question, capsys):
    def in_place(x):
        x -= 100
        return sigmoid(x + 100)
    assert question.check(in_place)


def test_custom_checker_and_summary(question, capsys, monkeypatch):
    monkeypatch.setattr(core, "DECLARED", {})
    q2 = Question("q2", "Even", [Case((2,), label="n=2")], checker=lambda r, c: None if r % 2 == 0 else "must be even",
                  solution=lambda n: 2 * n)
    Question("q3", "Never checked", [Case((1,), expected=1)], solution=lambda n: n)
    q2.check(lambda n: 3)
    assert "must be even" in capsys.readouterr().out
    assert core.summary() == {"exercises_total": 2, "exercises_passed": 0, "exercises_attempted": 1}
    q2.check(lambda n: 4)
    # a declared question that no cell checked still counts: a notebook that skips one cannot pass
    assert core.summary() == {"exercises_total": 2, "exercises_passed": 1, "exercises_attempted": 1}


def test_a_rerun_check_draws_the_same_cases():
    drawn = []
    q = Question("q9", "Random", [Case((np.random.default_rng(0),), label="a generator")],
                 checker=lambda r, c: drawn.append(r), solution=lambda rng: rng.random())
    q.verdict(lambda rng: rng.random())
    q.verdict(lambda rng: rng.random())
    assert drawn[0] == drawn[1]
    core.DECLARED.pop(__name__, None)


def test_a_solution_must_be_a_function():
    with pytest.raises(ValueError, match="as a function"):
        Question("q8", "Bad", [Case((1,), expected=1)], solution="return 1")


def test_tuple_answers_are_shown_item_by_item():
    text = core.short((np.zeros(2), np.ones((3, 1))))
    assert "shape=(2,)" in text and "shape=(3, 1)" in text


def test_hint_and_solution_print(question, capsys):
    question.hint()
    question.solution()
    out = capsys.readouterr().out
    assert "np.exp" in out and "def sigmoid_by_hand(x):\n    return 1 / (1 + np.exp(-x))" in out


def test_compare_handles_nested_results():
    assert core.compare_close((np.ones(2), 3.0), (np.ones(2), 3.0)) is None
    assert "item 1" in core.compare_close((np.ones(2), 3.0), (np.ones(2), 4.0))
    assert core.compare_close({"w": np.zeros(1)}, {"w": np.zeros(1)}) is None


SOLVED = """def sigmoid(x):
    \"\"\"Squash x.\"\"\"
    # BEGIN SOLUTION
    z = np.exp(-x)
    return 1 / (1 + z)
    # END SOLUTION

ex.q1.check(sigmoid)"""


def test_strip_solutions_keeps_indentation_and_the_rest():
    stripped = authoring.strip_solutions(SOLVED)
    assert "np.exp" not in stripped
    assert "    # YOUR CODE HERE\n    raise NotImplementedError" in stripped
    assert stripped.endswith("ex.q1.check(sigmoid)") and '"""Squash x."""' in stripped


@pytest.mark.parametrize("source, problem", [
    ("# BEGIN SOLUTION\nx = 1\n# END SOLUTION", "top level"),
    ("def f():\n    # BEGIN SOLUTION\n    return 1", "without # END"),
    ("def f():\n    return 1\n    # END SOLUTION", "without # BEGIN"),
])
def test_strip_solutions_refuses_broken_markers(source, problem):
    with pytest.raises(ValueError, match=problem):
        authoring.strip_solutions(source)


def test_exercises_twin_has_no_outputs_and_generation_is_idempotent(tmp_path):
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell(SOLVED)
    cell.outputs = [nbformat.v4.new_output("stream", text="Correct")]
    cell.execution_count = 3
    nb.cells = [nbformat.v4.new_markdown_cell("# Exercises"), cell]
    (tmp_path / "solutions").mkdir()
    nbformat.write(nb, tmp_path / "solutions" / "01_x_exercises.ipynb")
    assert [p.name for p in authoring.write_exercises(root=tmp_path)] == ["01_x_exercises.ipynb"]
    assert authoring.write_exercises(check=True, root=tmp_path) == []
    twin = nbformat.read(tmp_path / "exercises" / "01_x_exercises.ipynb", as_version=4)
    assert twin.cells[1].outputs == [] and twin.cells[1].execution_count is None
    assert "raise NotImplementedError" in twin.cells[1].source


def test_contract_problems_flag_stderr_and_machine_paths(tmp_path):
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("print(1)")
    cell.outputs = [nbformat.v4.new_output("stream", name="stderr", text="W0000 oneDNN"),
                    nbformat.v4.new_output("stream", name="stdout", text="saved /root/x.png")]
    nb.cells = [cell]
    problems = stored.contract_problems(nb, tmp_path / "n.ipynb")
    assert len(problems) == 2 and "stderr" in problems[0] and "machine path" in problems[1]


EXERCISE_MODULES = [importlib.import_module(f"creative_lib.exercises.{m.name}")
                    for m in pkgutil.iter_modules(creative_lib.exercises.__path__) if m.name.startswith("ex")]
DECLARED_QUESTIONS = [q for module in EXERCISE_MODULES for q in core.DECLARED[module.__name__]]


@pytest.mark.parametrize("module", EXERCISE_MODULES, ids=lambda m: m.__name__.rsplit(".", 1)[1])
def test_each_lesson_declares_at_least_four_questions(module):
    assert len(core.DECLARED[module.__name__]) >= 4


@pytest.mark.parametrize("question", DECLARED_QUESTIONS, ids=lambda q: f"{q.module.rsplit('.', 1)[1]}-{q.qid}")
def test_each_model_answer_passes_its_own_check_and_reads_as_code(question):
    assert question.verdict(question.solution_function)[0] == "correct"
    assert question.solution_source.startswith("def ") and "\n    " in question.solution_source


def code_lines(source):
    """The statements of a code block, dedented, without comments, docstrings or blank lines."""
    source = re.sub(r'^\s*""".*?"""\n', "", textwrap.dedent(source), flags=re.S)
    lines = (line.split("  #")[0].strip() for line in source.splitlines() if not line.strip().startswith("#"))
    return [line for line in lines if line]


def answered_in(solutions_notebook):
    """(question id, the answer block) for every `# BEGIN SOLUTION` cell of a solutions notebook."""
    nb = nbformat.read(solutions_notebook, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code" and authoring.BEGIN in cell.source:
            qid = re.search(r"ex\.(q\d+)\.check\(", cell.source).group(1)
            yield qid, cell.source.split(authoring.BEGIN)[1].split(authoring.END)[0]


@pytest.mark.parametrize("solutions", [s for s, _ in authoring.exercise_pairs()], ids=lambda p: p.stem[:2])
def test_the_solutions_notebook_answers_with_the_model_answers(solutions):
    """One source: each answer block of a solutions notebook is the body of its question's model answer."""
    module = importlib.import_module(f"creative_lib.exercises.ex{solutions.name[:2]}")
    answered = dict(answered_in(solutions))
    assert sorted(answered) == sorted(q.qid for q in core.DECLARED[module.__name__])
    for qid, block in answered.items():
        model = getattr(module, qid).solution_source.split("\n", 1)[1]  # the body, without its def line
        assert code_lines(block) == code_lines(model), f"{solutions.name} {qid} differs from ex{solutions.name[:2]}.{qid}"
