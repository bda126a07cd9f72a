"""Painting-like style images that the course makes itself, so that style transfer needs no download.

    style = brush_strokes(256, palette="starry", seed=0)    # (256, 256, 3) float32 in [0, 1]
    image = picture("starry_night", max_side=256)             # any picture lesson 04 can name

The paintings of Gatys et al.'s figure that are in the public domain, and the Tübingen photo
(CC BY 3.0), ship in data/ at 512 pixels (SHIPPED; origins and licences in data/README.md), so
the paper's figure needs no download either; the other registered pictures are fetched once.

Strokes are drawn along a smooth random flow field (the curl of a blurred noise field, so they
swirl without converging), each a thick line in a colour from the palette with a little jitter,
hundreds of them painted over one another on a dark ground. The result has what a style
loss measures: a few dominant colours, stroke-sized texture and a direction that varies slowly.
"""
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw
from skimage.filters import gaussian

from creative_lib.assets import REGISTRY, fetch
from creative_lib.images import SKIMAGE_PHOTOS, load_image, load_photo

PALETTES = {  # RGB in [0, 255], darkest first: the ground is painted in the first colour
    "starry": [(12, 28, 68), (28, 62, 130), (52, 104, 170), (110, 160, 200), (220, 200, 90), (245, 235, 180)],
    "ember": [(40, 10, 10), (120, 30, 20), (190, 70, 30), (230, 140, 40), (250, 210, 120), (90, 60, 90)],
    "meadow": [(20, 40, 20), (50, 90, 40), (100, 140, 60), (170, 180, 80), (230, 210, 120), (120, 150, 190)],
}


def flow_field(size, seed=0, smoothness=0.12):
    """(size, size) angles in radians: the direction of the curl of a blurred noise field at each pixel."""
    rng = np.random.default_rng(seed)
    potential = gaussian(rng.normal(size=(size, size)), sigma=smoothness * size, mode="wrap")
    dy, dx = np.gradient(potential)
    return np.arctan2(-dx, dy)  # the curl (dy, -dx) turned into an angle: along the contour lines


def brush_strokes(size=256, palette="starry", seed=0, strokes=None, length=None, width=None):
    """A painting of `strokes` brush strokes that follow flow_field: (size, size, 3) float32 in [0, 1].

    Defaults scale with size: about size**2 / 60 strokes, each size / 10 pixels long and size / 50 wide.
    """
    if palette not in PALETTES:
        raise ValueError(f"No palette named {palette!r}; choose one of {', '.join(PALETTES)}.")
    if size < 32:
        raise ValueError(f"A painting needs at least 32 pixels a side; got {size}.")
    colours = np.array(PALETTES[palette], np.float32)
    strokes = strokes or size * size // 60
    length = length or max(4, size // 10)
    width = width or max(2, size // 50)
    rng = np.random.default_rng(seed)
    angle = flow_field(size, seed)
    canvas = Image.new("RGB", (size, size), tuple(int(c) for c in colours[0]))
    draw = ImageDraw.Draw(canvas)
    step = max(1.0, length / 8)
    for _ in range(strokes):
        x, y = rng.uniform(0, size, 2)
        points = [(x, y)]
        for _ in range(8):  # follow the field
            a = angle[int(y) % size, int(x) % size]
            x, y = x + step * np.cos(a), y + step * np.sin(a)
            points.append((x, y))
        colour = colours[rng.integers(1, len(colours))] + rng.normal(0, 12, 3)
        draw.line(points, fill=tuple(int(c) for c in np.clip(colour, 0, 255)), width=int(rng.integers(width, 2 * width + 1)),
                  joint="curve")
    return np.asarray(canvas, np.float32) / 255.0


IMAGES = tuple(name for name, asset in REGISTRY.items() if asset.relpath.startswith("images/"))
DATA = Path(__file__).resolve().parent.parent / "data"
SHIPPED = {name: DATA / f"{name}.jpg" for name in ("tubingen", "shipwreck", "starry_night", "the_scream")}


def picture(name, max_side=256, min_side=32, seed=0):
    """A content or style image by name: (H, W, 3) float32 in [0, 1], longest side at most max_side.

    name: a palette of brush_strokes (made here, max_side square), a picture shipped in data/
    (SHIPPED), a registered picture of the asset manager (fetched once), a scikit-image photo, or a path.
    min_side: the shorter side a network needs; a smaller image is enlarged, a too thin one refused (ValueError).
    """
    if name in PALETTES:
        return brush_strokes(max_side, palette=name, seed=seed)
    if name in SHIPPED:
        return load_image(SHIPPED[name], max_side=max_side, min_side=min_side)
    if name in IMAGES:
        return load_image(fetch(name), max_side=max_side, min_side=min_side)
    if name in SKIMAGE_PHOTOS or Path(name).expanduser().is_file():
        return load_photo(name, max_side=max_side, min_side=min_side)
    raise ValueError(f"No picture named {name!r}: choose a painting made here ({', '.join(PALETTES)}), a registered "
                     f"image ({', '.join(IMAGES)}), a scikit-image photo ({', '.join(SKIMAGE_PHOTOS)}), or the path "
                     f"of an image file.")
