"""The course's two scores of a picture against its reference: images.psnr and images.ssim."""
import math

import numpy as np
import pytest

from creative_lib.images import psnr, ssim

RNG = np.random.default_rng(0)


@pytest.mark.parametrize("shape", [(32, 40, 3), (32, 40)])
def test_equal_images_score_inf_and_one(shape):
    image = RNG.uniform(size=shape).astype(np.float32)
    assert psnr(image, image.copy()) == math.inf
    assert ssim(image, image.copy()) == pytest.approx(1.0)


def test_psnr_is_ten_log_of_one_over_the_mean_squared_error():
    reference = np.full((16, 16, 3), 0.5)
    assert psnr(reference, reference + 0.1) == pytest.approx(20.0)  # MSE 0.01
    assert type(psnr(reference, reference + 0.1)) is float


def test_ssim_falls_as_noise_grows_and_is_a_float():
    reference = RNG.uniform(size=(48, 48, 3))
    scores = [ssim(reference, np.clip(reference + RNG.normal(scale=s, size=reference.shape), 0, 1)) for s in (0.05, 0.3)]
    assert 1.0 > scores[0] > scores[1] and type(scores[0]) is float


@pytest.mark.parametrize("score", [psnr, ssim])
@pytest.mark.parametrize("shapes", [((8, 8, 3), (8, 9, 3)), ((8, 8, 3), (8, 8)), ((2, 8, 8, 3), (2, 8, 8, 3))])
def test_other_shapes_are_refused_in_one_sentence(score, shapes):
    with pytest.raises(ValueError, match=r"two images of one shape, \(H, W, 3\) or \(H, W\)"):
        score(np.zeros(shapes[0]), np.zeros(shapes[1]))
