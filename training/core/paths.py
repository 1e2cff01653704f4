"""The repository's folders, as the trainer's command lines default to them."""
import os

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
MODELS_DIR = os.path.join(REPO_ROOT, "models")
EVAL_DIR = os.path.join(MODELS_DIR, "eval")   # evaluation results and contact sheets
SHARED_DATA_DIR = os.path.join(REPO_ROOT, "..", "shared", "data")   # ../shared/data beside the checkout
