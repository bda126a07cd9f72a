"""Colour photos that ship inside installed packages, a folder of a user's own, and random crops.

    clear = [load_scene(name, max_side=256) for name in CLEAR]   # float32 (H, W, 3) in [0, 1]
    mine = read_folder("~/Pictures/hills", max_side=256)        # [(file name, image)], or one sentence why not
    batch = random_crops(clear, n=500, size=64, rng=rng)          # (500, 64, 64, 3), half of them mirrored

No download: scikit-image ships astronaut, chelsea, coffee, rocket and the Middlebury 2014
motorcycle (with its disparity map), scikit-learn ships china and flower, matplotlib ships
grace_hopper. The lesson's three sets use different photos, so its two training domains are
truly unpaired and the held-out photos are never seen in training.
"""
from pathlib import Path

import numpy as np

from creative_lib.images import load_image

CLEAR = ("astronaut", "rocket", "coffee")           # the clear training domain
FOGGY = ("chelsea", "flower", "grace_hopper")       # fogged for the foggy training domain
HELD_OUT = ("china", "motorcycle")                  # fogged for scoring; their clear originals are kept
# Middlebury 2014 "Motorcycle" (calib.txt): focal length and doffs in pixels, baseline in millimetres.
MOTORCYCLE_CALIBRATION = {"focal_px": 994.978, "baseline_mm": 193.001, "doffs_px": 31.086}
PHOTO_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp"}


def _raw(name):
    """The photo as its package ships it (uint8 (H, W, 3))."""
    if name in ("china", "flower"):
        from sklearn.datasets import load_sample_image

        return load_sample_image(f"{name}.jpg")
    if name == "grace_hopper":
        import matplotlib.cbook

        return matplotlib.cbook.get_sample_data("grace_hopper.jpg", asfileobj=False)
    import skimage.data

    if name == "motorcycle":
        return skimage.data.stereo_motorcycle()[0]  # the left view: the one its disparity map belongs to
    if name in ("astronaut", "chelsea", "coffee", "rocket"):
        return getattr(skimage.data, name)()
    raise ValueError(f"No built-in photo {name!r}; choose one of {', '.join(CLEAR + FOGGY + HELD_OUT)}.")


def load_scene(name, max_side=None):
    """A built-in photo by name as float32 (H, W, 3) in [0, 1], its longer side at most max_side."""
    return load_image(_raw(name), max_side=max_side)


def motorcycle_disparity():
    """The motorcycle's left-view disparity in pixels, (500, 741) float32; inf where stereo found no match."""
    import skimage.data

    return skimage.data.stereo_motorcycle()[2].astype(np.float32)


def read_folder(folder, max_side=None, min_side=16, minimum=1):
    """Every readable photo in a folder, in name order: [(file name, float32 (H, W, 3))].

    Unreadable files are skipped; fewer than `minimum` readable photos is refused in one sentence.
    """
    folder = Path(folder).expanduser()
    if not folder.is_dir():
        raise ValueError(f"{folder} is not a folder; give a folder of photos (PNG, JPEG, ...) or None for the built-in ones.")
    photos = []
    for path in sorted(p for p in folder.iterdir() if p.suffix.lower() in PHOTO_SUFFIXES):
        try:
            photos.append((path.name, load_image(path, max_side=max_side, min_side=min_side)))
        except (ValueError, OSError):
            continue
    if len(photos) < minimum:
        raise ValueError(f"{folder} holds {len(photos)} readable photo(s); at least {minimum} are needed "
                         f"({', '.join(sorted(PHOTO_SUFFIXES))}).")
    return photos


def random_crops(images, n, size, rng):
    """n crops of size x size from random places of random images (list of (H, W, C)), half mirrored: (n, size, size, C).

    Every image must be at least size x size; stack a photo with its twin on C to crop both alike.
    """
    small = [im.shape[:2] for im in images if min(im.shape[:2]) < size]
    if small:
        raise ValueError(f"Crops of {size} x {size} pixels need photos at least that large; got {small[0][0]} x {small[0][1]}.")
    crops = np.empty((n, size, size, images[0].shape[-1]), np.float32)
    for k in range(n):
        image = images[rng.integers(len(images))]
        top, left = rng.integers(0, image.shape[0] - size + 1), rng.integers(0, image.shape[1] - size + 1)
        crop = image[top:top + size, left:left + size]
        crops[k] = crop[:, ::-1] if rng.random() < 0.5 else crop
    return crops
