"""A procedural data set of coloured shapes, for training small CNNs in seconds.

    x, y = make_shapes(2_000, size=48, seed=0)           # x: (2000, 48, 48, 3) float32 in [0, 1]
    x, y = make_shapes(500, placement="centred")          # shapes in the middle of the image
    x, y = make_shapes(500, placement="shifted")          # shapes pushed towards the edges
    batches = shape_batches(64, seed=1)                   # an endless stream of fresh (x, y) batches

Each image holds one shape (circle, square, triangle, star, cross or ring) at a random size,
rotation, foreground and background colour, with Gaussian pixel noise. The shape is drawn from
a signed distance (positive inside, in pixels), so its edges are anti-aliased. Everything is
vectorised NumPy and deterministic given the seed.
"""
import numpy as np

CLASSES = ("circle", "square", "triangle", "star", "cross", "ring")
PLACEMENTS = ("random", "centred", "shifted")


def _polygon_margin(d, phi, r, n):
    """Signed distance to a regular n-gon with circumradius r (exact inside, good enough outside)."""
    sector = 2 * np.pi / n
    alpha = np.mod(phi, sector) - sector / 2
    return r * np.cos(np.pi / n) - d * np.cos(alpha)


def _star_margin(d, phi, r, points=5, inner=0.42):
    """Radial distance to the edge of a star with `points` tips of radius r and notches at inner*r."""
    half = np.pi / points
    alpha = np.mod(phi, 2 * half)
    alpha = np.where(alpha > half, 2 * half - alpha, alpha)  # fold onto the tip-to-notch edge
    rho = inner * r
    edge = rho * np.sin(half) * r / (rho * np.sin(half) * np.cos(alpha) + (r - rho * np.cos(half)) * np.sin(alpha))
    return edge - d


def _margin(name, u, v, r):
    """Signed distance (pixels, > 0 inside) of points (u, v), in the shape's own frame, to shape `name`.

    u, v: (n, H, W) coordinates relative to the centre, already rotated; r: (n, 1, 1) outer radius.
    """
    d = np.hypot(u, v)
    phi = np.arctan2(v, u)
    if name == "circle":
        return 0.85 * r - d
    if name == "square":
        return r / np.sqrt(2) - np.maximum(np.abs(u), np.abs(v))
    if name == "triangle":
        return _polygon_margin(d, phi, r, 3)
    if name == "star":
        return _star_margin(d, phi, r)
    if name == "cross":
        arm, width = 0.92 * r, 0.3 * r
        horizontal = np.minimum(arm - np.abs(u), width - np.abs(v))
        vertical = np.minimum(arm - np.abs(v), width - np.abs(u))
        return np.maximum(horizontal, vertical)
    if name == "ring":
        return np.minimum(0.9 * r - d, d - 0.5 * r)
    raise ValueError(f"Unknown shape {name!r}; choose from {', '.join(CLASSES)}.")


def _centres(rng, n, size, r, placement):
    """(n, 2) shape centres in pixel coordinates, keeping each shape of radius r inside the image."""
    room = size / 2 - r[:, None] - 1.0  # how far a centre may move from the image centre, per axis
    if placement == "centred":
        offset = rng.uniform(-1.0, 1.0, (n, 2))
    elif placement == "random":
        offset = rng.uniform(-1.0, 1.0, (n, 2)) * room
    elif placement == "shifted":  # at least half the room away from the centre, on both axes
        offset = rng.choice([-1.0, 1.0], (n, 2)) * rng.uniform(0.5, 1.0, (n, 2)) * room
    else:
        raise ValueError(f"placement must be one of {', '.join(PLACEMENTS)}; got {placement!r}.")
    return size / 2 + offset


def _colours(rng, n):
    """Background and foreground RGB colours (n, 3) each, one dark and one light, so shapes stay visible."""
    dark, light = rng.uniform(0.0, 0.45, (n, 3)), rng.uniform(0.55, 1.0, (n, 3))
    light_background = rng.random(n)[:, None] < 0.5
    return np.where(light_background, light, dark), np.where(light_background, dark, light)


def render_shapes(rng, labels, size=48, placement="random", radius=(0.16, 0.34), noise=0.05, classes=CLASSES):
    """Draw one shape per label with the random generator `rng`; returns float32 (n, size, size, 3)."""
    n = len(labels)
    r = rng.uniform(radius[0], radius[1], n) * size
    centre = _centres(rng, n, size, r, placement).astype(np.float32)
    angle = rng.uniform(0.0, 2 * np.pi, n).astype(np.float32)
    background, foreground = (c.astype(np.float32) for c in _colours(rng, n))
    r = r.astype(np.float32)
    grid = np.arange(size, dtype=np.float32) + 0.5
    coverage = np.empty((n, size, size), dtype=np.float32)
    for k, name in enumerate(classes):
        idx = np.flatnonzero(labels == k)
        if idx.size:
            dx = grid[None, None, :] - centre[idx, 0, None, None]
            dy = grid[None, :, None] - centre[idx, 1, None, None]
            cos, sin = np.cos(angle[idx])[:, None, None], np.sin(angle[idx])[:, None, None]
            margin = _margin(name, dx * cos + dy * sin, dy * cos - dx * sin, r[idx, None, None])
            coverage[idx] = np.clip(margin + 0.5, 0.0, 1.0)  # a one-pixel ramp: anti-aliased edges
    step = foreground - background
    images = np.stack([background[:, ch, None, None] + step[:, ch, None, None] * coverage for ch in range(3)], axis=-1)
    images += noise * rng.standard_normal(images.shape, dtype=np.float32)
    return np.clip(images, 0.0, 1.0, out=images)


def make_shapes(n, size=48, seed=0, placement="random", radius=(0.16, 0.34), noise=0.05, classes=CLASSES):
    """A balanced, shuffled set of n shape images and labels.

    Returns x: float32 (n, size, size, 3) in [0, 1] and y: int32 (n,) indexing `classes`.
    The same arguments always give the same images.
    """
    if n < 1 or size < 16:
        raise ValueError(f"make_shapes needs n >= 1 and size >= 16; got n={n}, size={size}.")
    rng = np.random.default_rng(seed)
    labels = rng.permutation(np.arange(n) % len(classes)).astype(np.int32)
    return render_shapes(rng, labels, size, placement, radius, noise, classes), labels


def shape_batches(batch_size, seed=0, **kwargs):
    """An endless, reproducible stream of (x, y) batches of shapes never seen before; kwargs as for make_shapes.

    A generator of new data, so it has no epochs; toydata.minibatches shuffles a fixed set instead.
    """
    rng = np.random.default_rng(seed)
    classes = kwargs.get("classes", CLASSES)
    while True:
        labels = rng.integers(0, len(classes), batch_size).astype(np.int32)
        yield render_shapes(rng, labels, **kwargs), labels
