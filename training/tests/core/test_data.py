"""load_rgb reads images as a colour-managed viewer (and the app's sharp) shows them: an embedded ICC
profile is converted to sRGB; a missing or broken one leaves the values as they are. The app side of
this (sharp against load_rgb on a Display P3 file) is test/electron/imaging/learn-crops.test.ts."""
import os

import numpy as np
import pytest
from PIL import Image, ImageCms

from training.core.data import default_shared_dir, load_rgb

TAHITI = os.path.join(default_shared_dir(), "styles", "tahiti_guaguin.jpg")


def ramp() -> Image.Image:
    y, x = np.mgrid[0:48, 0:64]
    a = np.stack([x * 4, 40 + y * 4, 255 - x * 4], axis=-1).clip(0, 255).astype(np.uint8)
    return Image.fromarray(a, "RGB")


def saved(im: Image.Image, tmp_path, **kw) -> str:
    f = str(tmp_path / "photo.png")
    im.save(f, **kw)
    return f


def rgb_of(path: str) -> np.ndarray:
    return load_rgb(path).permute(1, 2, 0).numpy().astype(np.int16)


def test_without_a_profile_the_values_are_taken_as_srgb(tmp_path):
    im = ramp()
    assert np.array_equal(rgb_of(saved(im, tmp_path)), np.asarray(im, dtype=np.int16))


def test_a_broken_profile_is_ignored(tmp_path):
    im = ramp()
    got = rgb_of(saved(im, tmp_path, icc_profile=b"not an ICC profile"))
    assert np.array_equal(got, np.asarray(im, dtype=np.int16))


def test_an_srgb_profile_changes_nothing_beyond_rounding(tmp_path):
    im = ramp()
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    got = rgb_of(saved(im, tmp_path, icc_profile=srgb))
    assert np.abs(got - np.asarray(im, dtype=np.int16)).max() <= 1


@pytest.mark.skipif(not os.path.isfile(TAHITI), reason="no shared data: ../shared/data beside the checkout or "
                                                        "PASTICHE_SHARED_DIR")
def test_an_adobe_rgb_painting_is_converted_to_srgb():
    with Image.open(TAHITI) as im:
        assert b"Adobe RGB" in im.info["icc_profile"]
        naive = np.asarray(im.convert("RGB"), dtype=np.int16)
    got = rgb_of(TAHITI)
    assert got.shape == naive.shape
    # Read as sRGB, Adobe RGB values look duller: the blues of the painting are off by several levels.
    assert np.abs(got - naive).mean() > 3
    assert got[..., 2].mean() < naive[..., 2].mean() - 3


def test_probe_crops_are_centre_squares_of_photos_spread_over_the_list(tmp_path):
    import torch

    from training.core.data import ContentCrops, list_images, probe_indices
    assert probe_indices(69, 8) == [0, 10, 19, 29, 39, 49, 58, 68]
    assert probe_indices(3, 8) == [0, 0, 1, 1, 1, 1, 2, 2]
    assert (probe_indices(5, 1), probe_indices(5, 0)) == ([0], [])
    for k, blue in enumerate((10, 120, 240)):
        w, h = 160 + 40 * k, 100
        y, x = np.mgrid[0:h, 0:w]
        a = np.stack([x * 255 / (w - 1), y * 255 / (h - 1), np.full((h, w), blue)], axis=-1).round().astype(np.uint8)
        Image.fromarray(a, "RGB").save(tmp_path / f"p{k}.png")
    crops = ContentCrops(list_images([str(tmp_path)]), 64, torch.device("cpu"), seed=3)
    p = crops.centre_crops(3, 32)
    assert p.shape == (3, 3, 32, 32)
    again = ContentCrops(list_images([str(tmp_path)]), 64, torch.device("cpu"), seed=9)
    assert torch.equal(p, again.centre_crops(3, 32))
    for k, blue in enumerate((10, 120, 240)):
        assert abs(float(p[k, 2].mean()) - blue) < 0.5
        assert abs(float(p[k, 0].mean()) - 127.5) < 2 and abs(float(p[k, 1].mean()) - 127.5) < 2
    assert p[0, 0, 0, 31] > p[0, 0, 0, 0]   # not mirrored
