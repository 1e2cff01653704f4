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
    assert np.array_equal(rgb_of(saved(im, tmp_path, icc_profile=b"not an ICC profile")), np.asarray(im, dtype=np.int16))


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
