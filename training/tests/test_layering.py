"""The trainer's rooms import only downwards: core/ from nothing else of the trainer, deploy/ from
core/, styles/ and experiments/ from core/ and deploy/ (training/README.md)."""
import ast
import os

from training.core.paths import REPO_ROOT

PACKAGE = os.path.join(REPO_ROOT, "training")
MAY_IMPORT = {"core": {"core"}, "deploy": {"core", "deploy"}, "styles": {"core", "deploy", "styles"},
              "experiments": {"core", "deploy", "experiments"}}


def imported_rooms(path: str, room: str):
    """(line, room) for each import of the trainer in a module of `room`, relative or absolute."""
    for node in ast.walk(ast.parse(open(path).read(), path)):
        if isinstance(node, ast.ImportFrom) and node.level == 1:   # from .x / from . import x
            yield node.lineno, room
        elif isinstance(node, ast.ImportFrom) and node.level == 2:   # from ..core.x / from .. import core
            for target in [node.module.split(".")[0]] if node.module else [a.name for a in node.names]:
                yield node.lineno, target
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            mods = node.module.split(".")
            if mods[0] == "training":   # from training.core.x / from training import core
                for target in mods[1:2] or [a.name for a in node.names]:
                    yield node.lineno, target
        elif isinstance(node, ast.Import):
            for alias in node.names:
                mods = alias.name.split(".")
                if mods[0] == "training":
                    yield node.lineno, mods[1] if len(mods) > 1 else None


def test_rooms_import_only_downwards():
    wrong = []
    for room, allowed in MAY_IMPORT.items():
        folder = os.path.join(PACKAGE, room)
        for name in sorted(os.listdir(folder)):
            if name.endswith(".py"):
                path = os.path.join(folder, name)
                wrong += [f"training/{room}/{name}:{line} imports training.{target}"
                          for line, target in imported_rooms(path, room)
                          if target in MAY_IMPORT and target not in allowed]
    assert not wrong, "\n".join(wrong)


def test_the_rule_sees_relative_and_absolute_imports(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("from ..deploy.quantize import quantize\nimport training.experiments.distill\n"
                   "from .model import Generator\nfrom training import deploy\nfrom .. import experiments\n")
    assert sorted(imported_rooms(str(bad), "core")) == [(1, "deploy"), (2, "experiments"), (3, "core"),
                                                        (4, "deploy"), (5, "experiments")]
