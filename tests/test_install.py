"""The package as users install it: the built wheel in a fresh virtual environment, outside the checkout.

The wheel is built once per session from a copy of the source with the
default model staged in (as ``make dist`` does), and installed with the
``train`` extra into one fresh virtual environment (pip's cache makes that
about 20 seconds).  Every command then runs from a folder of the user's own,
with no ``AUTOCLASS_MODEL`` and no access to the checkout.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.corpus import PAGE, TYPES, write_four_type_corpus

SKIP_SOURCE = shutil.ignore_patterns("__pycache__", "*.egg-info", "default_model")


@pytest.fixture(scope="session")
def wheel(tmp_path_factory, default_model) -> tuple[Path, str]:
    """The wheel built from a copy of the source with the default model staged in, and the build's output."""
    from training.dist import stage

    src = tmp_path_factory.mktemp("source")
    shutil.copytree(ROOT / "autoclass", src / "autoclass", ignore=SKIP_SOURCE)
    shutil.copytree(ROOT / "docs", src / "docs")
    shutil.copytree(ROOT / "tests", src / "tests", ignore=SKIP_SOURCE)  # for the sdist to leave out
    (src / "labels").mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE", "MANIFEST.in", "labels/README.md"):
        shutil.copy(ROOT / name, src / name)
    stage(default_model.path, src / "autoclass")
    out = tmp_path_factory.mktemp("wheel")
    build = subprocess.run(
        [
            sys.executable,
            "-m",
            "build",
            "--sdist",
            "--wheel",
            "--no-isolation",
            "--outdir",
            str(out),
            str(src),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert build.returncode == 0, build.stdout[-3000:] + build.stderr[-3000:]
    (built,) = out.glob("*.whl")
    return built, build.stdout + build.stderr


@pytest.fixture(scope="session")
def venv(wheel, tmp_path_factory) -> Path:
    """A fresh virtual environment with the wheel and its ``train`` extra installed; its bin folder."""
    root = tmp_path_factory.mktemp("venv")
    subprocess.run([sys.executable, "-m", "venv", str(root)], check=True, timeout=300)
    install = subprocess.run(
        [str(root / "bin" / "python"), "-m", "pip", "install", "--quiet", f"{wheel[0]}[train]"],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert install.returncode == 0, install.stderr[-3000:]
    return root / "bin"


def run(venv: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess:
    """A command of the fresh environment, run from the user's folder with no model configured."""
    env = {k: v for k, v in os.environ.items() if k not in ("AUTOCLASS_MODEL", "PYTHONPATH")}
    env["HOME"] = str(cwd)
    done = subprocess.run(
        [str(venv / args[0]), *args[1:]], cwd=cwd, env=env, capture_output=True, text=True, timeout=600
    )
    assert "Traceback" not in done.stdout + done.stderr, done.stderr
    return done


@pytest.fixture
def user(tmp_path) -> Path:
    folder = tmp_path / "my-project"
    folder.mkdir()
    return folder


def test_git_ignores_what_builds_leave_in_the_checkout():
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("needs git and a checkout")
    paths = [
        "build/lib/autoclass/api.py",
        "dist/x.whl",
        "autoclass/default_model/model.npz",
    ]
    done = subprocess.run(["git", "-C", str(ROOT), "check-ignore", *paths], capture_output=True, text=True)
    assert done.stdout.split() == paths


@pytest.mark.slow
def test_the_wheel_ships_the_model_the_guide_and_type_information(wheel):
    path, log = wheel
    assert path.name.startswith("autoclass_news-")
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        meta = archive.read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
    expected = {
        "autoclass/py.typed",
        "autoclass/GUIDE.md",
        "autoclass/training/config.toml",
        "autoclass/default_model/model.npz",
        "autoclass/default_model/metadata.json",
        "autoclass/default_model/README.md",
    }
    assert expected <= names
    assert not [
        n for n in names if n.endswith((".joblib", ".pkl", ".skops"))
    ]  # nothing that runs code on load
    assert "Name: autoclass-news" in meta and "License-Expression: MIT" in meta
    assert "License-File: LICENSE" in meta and any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    assert "deprecated" not in log.lower()  # e.g. project.license as a table


@pytest.mark.slow
def test_the_sdist_holds_the_license_and_the_docs_readme_links_to_and_no_half_test_suite(wheel):
    # It shipped tests/test_*.py without their conftest.py and corpus (they need a checkout), and
    # neither the license text nor docs/batch.md, docs/labeling.md, labels/README.md.
    import re
    import tarfile

    (sdist,) = wheel[0].parent.glob("*.tar.gz")
    with tarfile.open(sdist) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    linked = set(re.findall(r"\]\(((?:docs|labels)/[^)#]+)", (ROOT / "README.md").read_text()))
    missing = [
        link
        for link in linked
        if not any(name == link or name.startswith(link.rstrip("/") + "/") for name in names)
    ]
    assert linked and not missing, missing
    assert "LICENSE" in names and "autoclass/default_model/model.npz" in names
    assert not [n for n in names if n.startswith("tests/")]


@pytest.mark.slow
def test_a_fresh_install_predicts_with_the_shipped_model_from_any_folder(venv, user):
    done = run(
        venv,
        user,
        "python",
        "-c",
        "import json, autoclass; from autoclass.api import default_model; "
        "a = autoclass.predict('Home\\nTesla recalls 120,000 Model Y cars over a seat belt fault\\n"
        "Tesla is recalling 120,000 Model Y vehicles because a seat belt may not latch.\\nShare'); "
        "print(json.dumps({'event': a.main_event, 'model': str(default_model().path), "
        "'artifact': default_model().metadata['artifact']}))",
    )
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["event"] == "recall" and out["artifact"] == "model.npz"
    assert Path(out["model"]).is_relative_to(venv.parent) and not Path(out["model"]).is_relative_to(ROOT)
    (user / "page.txt").write_text(PAGE)
    done = run(venv, user, "autoclass", "predict", "page.txt")
    assert done.returncode == 0 and json.loads(done.stdout)["id"] == "page.txt"
    done = run(venv, user, "autoclass", "predict", "--model", "no-such-model", "page.txt")
    assert done.returncode == 5 and "give --model a directory written by `autoclass train" in done.stderr
    guide = (ROOT / "autoclass" / "GUIDE.md").read_text()
    assert run(venv, user, "autoclass", "labels", "guide").stdout == guide


@pytest.mark.slow
def test_a_fresh_install_trains_and_evaluates_a_taxonomy_of_its_own(venv, user):
    write_four_type_corpus(user / "my-labels")
    (user / "page.txt").write_text(PAGE)
    steps = [
        ("autoclass", "labels", "check", "my-labels"),
        ("autoclass", "train", "my-labels/train", "--heldout", "my-labels/heldout", "-o", "my-model"),
        ("autoclass", "evaluate", "my-model", "my-labels/heldout", "-o", "my-evaluation"),
        ("autoclass", "predict", "--model", "my-model", "--paragraphs", "page.txt"),
    ]
    done = [run(venv, user, *step) for step in steps]
    assert [d.returncode for d in done] == [0, 0, 0, 0], [d.stderr for d in done]
    assert "4 event types from my-labels/taxonomy.json: funding, launch, lawsuit, other" in done[1].stdout
    # The fresh environment has the train extra, not the report one: a line says why there is no report.
    assert (
        'no report.html: the HTML report needs the "report" extra: pip install "autoclass-news[report]"'
        in (done[2].stdout)
    )
    evaluation = json.loads((user / "my-evaluation" / "evaluation.json").read_text())
    assert evaluation["held-out"]["pages"] == 6
    assert evaluation["held-out"]["model"]["event"]["confusion"]["labels"] == list(TYPES)
    record = json.loads(done[3].stdout)
    assert record["main_event"] == "funding" and set(record["tags"]) <= set(TYPES)
    assert all(list(p["event_scores"]) == list(TYPES) for p in record["paragraphs"])
    assert {p["event"] for p in record["paragraphs"]} <= {*TYPES, None}
