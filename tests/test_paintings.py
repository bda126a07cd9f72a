"""creative_lib.paintings: the course's own style images (lesson 04 runs offline with them)."""
import numpy as np
import pytest

from creative_lib.paintings import DATA, PALETTES, SHIPPED, brush_strokes, flow_field, picture


def test_brush_strokes_are_deterministic_images_in_the_palettes_colours():
    a, b = brush_strokes(96, "starry", seed=3), brush_strokes(96, "starry", seed=3)
    assert a.shape == (96, 96, 3) and a.dtype == np.float32 and 0 <= a.min() and a.max() <= 1
    np.testing.assert_array_equal(a, b)
    assert np.abs(a - brush_strokes(96, "starry", seed=4)).mean() > 0.05  # another seed, another painting
    palette = np.array(PALETTES["starry"], np.float32) / 255
    nearest = np.min(np.linalg.norm(a.reshape(-1, 1, 3) - palette[None], axis=-1), axis=1)
    assert np.median(nearest) < 0.12  # most pixels lie near a palette colour (stroke jitter aside)
    ember = brush_strokes(96, "ember", seed=3)
    assert ember[..., 0].mean() > ember[..., 2].mean() and a[..., 2].mean() > a[..., 0].mean()


def test_strokes_follow_a_smooth_field_so_the_painting_has_texture_not_noise():
    angle = flow_field(64, seed=0)
    assert angle.shape == (64, 64)
    turn = np.angle(np.exp(1j * np.diff(angle, axis=1)))  # neighbour-to-neighbour change, wrapped to [-pi, pi]
    assert np.median(np.abs(turn)) < 0.2
    painting = brush_strokes(128, seed=0)
    gray = painting.mean(axis=-1)
    neighbours = np.corrcoef(gray[:, :-1].ravel(), gray[:, 1:].ravel())[0, 1]
    assert neighbours > 0.5  # strokes are wider than a pixel: neighbouring pixels agree


def test_bad_arguments_are_refused_in_one_sentence():
    with pytest.raises(ValueError, match="starry, ember, meadow"):
        brush_strokes(64, palette="mauve")
    with pytest.raises(ValueError, match="at least 32 pixels"):
        brush_strokes(16)


def test_the_papers_pictures_ship_in_data_small_with_origin_and_licence(monkeypatch, tmp_path):
    monkeypatch.delenv("CREATIVE_LIB_MIRROR", raising=False)  # no mirror folder,
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))             # an empty cache: nothing can be fetched
    assert set(SHIPPED) == {"tubingen", "shipwreck", "starry_night", "the_scream"}  # Seated Nude stays a download
    assert sum(path.stat().st_size for path in SHIPPED.values()) < 1_000_000
    readme = (DATA / "README.md").read_text()
    assert "Andreas Praefcke" in readme and "CC BY 3.0" in readme and "public domain" in readme
    for name, path in SHIPPED.items():
        assert f"`{path.name}`" in readme and path.name in readme
        image = picture(name, max_side=200)
        assert max(image.shape[:2]) == 200 and image.dtype == np.float32 and 0 <= image.min() and image.max() <= 1
