"""Tiny random-weight models with the real I/O contract, for engine and app tests.

    python3 -m training.deploy.make_fixture [--out test/fixtures/models]

Styles differ by their (random) conditional-IN scale/shift, so each gives a visibly different
image. Deterministic (fixed seed), so the committed files are reproducible.
"""
from __future__ import annotations

import argparse
import os

import torch

from ..core.export import export_model
from ..core.manifest import model_entry, write_manifest
from ..core.model import Generator, GeneratorConfig
from ..core.paths import REPO_ROOT

FIXTURE_STYLES = [
    {"id": "fixture-ember", "title": "Ember (fixture)", "artist": "Pastiche tests", "year": "2026"},
    {"id": "fixture-tide", "title": "Tide (fixture)", "artist": "Pastiche tests", "year": "2026"},
    {"id": "fixture-moss", "title": "Moss (fixture)", "artist": "Pastiche tests", "year": "2026"},
]


def build(seed: int = 7) -> Generator:
    torch.manual_seed(seed)
    g = Generator(GeneratorConfig(width=8, res_blocks=2, norm="cond_instance", n_styles=len(FIXTURE_STYLES)))
    with torch.no_grad():
        for m in g.modules():
            if hasattr(m, "gamma") and isinstance(m.gamma, torch.nn.Parameter):
                m.gamma.uniform_(0.5, 1.5)
                m.beta.normal_(0.0, 0.5)
    return g.eval()


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--out", default=os.path.join(REPO_ROOT, "test", "fixtures", "models"))
    a = p.parse_args(argv)
    g = build()
    refs = {"fp32": export_model(g, a.out, "fixture-pack")}
    styles = [dict(s, publicDomain="n/a (random weights, test fixture)", source="training/deploy/make_fixture.py")
              for s in FIXTURE_STYLES]
    entry = model_entry("fixture-pack", g, refs, styles,
                        provenance={"generator": "training/deploy/make_fixture.py", "seed": 7, "trained": False})
    write_manifest(os.path.join(a.out, "manifest.json"), [entry])
    print(f"wrote {a.out}")


if __name__ == "__main__":
    main()
