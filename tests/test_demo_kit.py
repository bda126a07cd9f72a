"""The demos' kit: the BeforeAfter wipe."""
import io

import ipywidgets as w
import numpy as np
import pytest
from PIL import Image

from creative_lib.demos.kit import BeforeAfter


def shown(compare):
    """The picture the widget shows, decoded: (H, W, 3) float in [0, 1]."""
    return np.asarray(Image.open(io.BytesIO(compare.view.value)), np.float32) / 255.0


def test_the_wipe_shows_before_on_the_left_and_after_on_the_right():
    before, after = np.full((40, 60, 3), 0.2, np.float32), np.full((40, 60, 3), (0.1, 0.6, 0.3), np.float32)
    compare = BeforeAfter(width=300, labels=("foggy", "defogged"))
    assert isinstance(compare.ui, w.VBox) and compare.wipe.value == 0.5 and compare.wipe.description == "wipe"
    assert "foggy" in compare.caption.value and "defogged" in compare.caption.value
    compare.set(before, after)
    half = compare.view.value
    assert np.abs(shown(compare)[:, :20] - before[:, :20]).max() < 0.05
    assert np.abs(shown(compare)[:, 40:] - after[:, 40:]).max() < 0.05
    assert shown(compare)[:, 29:31].mean() > 0.9  # the white line at the boundary (JPEG blurs its colour a little)
    compare.wipe.value = 0.0
    assert compare.view.value != half and np.abs(shown(compare) - after).max() < 0.05
    compare.wipe.value = 1.0
    assert np.abs(shown(compare) - before).max() < 0.05


def test_images_of_two_sizes_are_refused():
    with pytest.raises(ValueError, match="two \\(H, W, 3\\) images of one size"):
        BeforeAfter().set(np.zeros((8, 8, 3)), np.zeros((8, 9, 3)))
