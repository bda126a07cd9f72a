"""Checked exercises of lesson 06 (CycleGAN defogging).

    from creative_lib.exercises import ex06 as ex
    ex.q1.check(add_fog); ex.q1.hint(); ex.q1.solution()

Each answer is checked against the lesson's own code (creative_lib.cyclegan) on several cases; the
image pool, which is random, is checked by what must hold whatever the draws. NumPy or TensorFlow.
"""
import numpy as np

from creative_lib import cyclegan
from creative_lib.exercises.core import Case, Question, compare_close

_rng = np.random.default_rng(6)


def _close(result, expected):
    """compare_close at float32 precision."""
    return compare_close(result, expected, rtol=1e-4, atol=1e-5)


def _photo(h, w):
    return _rng.uniform(0, 1, (h, w, 3)).astype(np.float32)


def _batch(n, side=4, low=-1.0):
    return _rng.uniform(low, 1, (n, side, side, 3)).astype(np.float32)


# ---------------------------------------------------------------- q1: the fog synthesiser

def add_fog(clear, depth, beta, airlight):
    t = np.exp(-beta * depth)[..., None]
    return clear * t + np.asarray(airlight) * (1 - t)


_depth = np.broadcast_to(np.linspace(50.0, 5.0, 6, dtype=np.float32)[:, None], (6, 8)).copy()  # far at the top
q1 = Question(
    "q1", "The fog synthesiser",
    cases=[
        Case(args=(_photo(6, 8), _depth, 0.05, 0.9), label="a 6 x 8 photo, depth 5 to 50 m, beta 0.05, airlight 0.9"),
        Case(args=(_photo(6, 8), _depth, 0.0, 0.9), label="beta 0: no fog, the photo itself"),
        Case(args=(_photo(5, 7), _rng.uniform(20, 100, (5, 7)).astype(np.float32), 1.0, 0.8),
             label="dense fog (beta 1 per metre, 20 to 100 m): all airlight"),
        Case(args=(_photo(6, 8), _depth, 0.03, np.array([0.95, 0.7, 0.5], np.float32)),
             label="an orange airlight (0.95, 0.7, 0.5): one level per colour"),
    ],
    reference=cyclegan.add_fog,
    compare=_close,
    hint="t = np.exp(-beta * depth) is (H, W); give it a colour axis, t[..., None], so that it multiplies all three "
         "colours of the (H, W, 3) photo. Then clear * t + airlight * (1 - t).",
    solution=add_fog,
)


# ---------------------------------------------------------------- q2: the dark channel

def dark_channel(image, patch):
    darkest = image.min(axis=2)
    padded = np.pad(darkest, patch // 2, mode="edge")
    windows = np.lib.stride_tricks.sliding_window_view(padded, (patch, patch))
    return windows.min(axis=(2, 3))


_tinted = _photo(9, 11) * 0.6 + np.array([0.4, 0.3, 0.35], np.float32)  # no colour below 0.3
_dots = np.ones((10, 12, 3), np.float32)
_dots[4, 6] = _dots[0, 0] = 0.0
q2 = Question(
    "q2", "The dark channel",
    cases=[
        Case(args=(_photo(9, 11), 3), label="a 9 x 11 photo, 3 x 3 patches"),
        Case(args=(_tinted, 1), label="1 x 1 patches: each pixel's darkest colour"),
        Case(args=(_dots, 5), label="white, black at (4, 6) and at the corner (0, 0), 5 x 5 patches: black squares, cut at the border"),
        Case(args=(_tinted[:7, :9], 15), label="a 15 x 15 patch on a 7 x 9 photo: the darkest value, everywhere"),
    ],
    reference=cyclegan.dark_channel,
    compare=_close,
    hint="First the darkest colour of every pixel: image.min(axis=2), (H, W). Then, at every pixel, the minimum over "
         "the patch x patch window centred on it; near the border use the part of the window inside the photo "
         "(np.pad(..., patch // 2, mode='edge') then np.lib.stride_tricks.sliding_window_view does it without loops).",
    solution=dark_channel,
)


# ---------------------------------------------------------------- q3 and q4: the cycle and identity losses

class _Net:
    """A stand-in generator, called like a Keras model: a batch (B, h, w, 3) -> a batch, as a NumPy array."""

    def __init__(self, fn):
        self.fn = fn

    def __call__(self, images, training=False):
        return np.asarray(self.fn(np.asarray(images, np.float32)), np.float32)

    def __deepcopy__(self, memo):
        return self


def _tiny_generator(name):
    """The lesson's ResNet generator at 4 filters and 1 block, its kernels drawn from _rng (the same at every import)."""
    model = cyclegan.build_generator(filters=4, blocks=1, name=name)
    model.set_weights([w if w.ndim == 1 else _rng.normal(0, 0.5 / np.prod(w.shape[:-1]) ** 0.5, w.shape) for w in model.get_weights()])
    return _Net(model)


_SAME, _TANH, _AFFINE = _Net(lambda im: im), _Net(lambda im: np.tanh(1.5 * im)), _Net(lambda im: 0.8 * im + 0.1)
_PAIRS = [  # (G, F, x foggy, y clear, label): foggy crops are brighter than clear ones
    (_TANH, _AFFINE, _batch(3, low=0.2), _batch(2), "G = tanh(1.5 x), F = 0.8 x + 0.1; 3 foggy, 2 clear"),
    (_tiny_generator("G_tiny"), _tiny_generator("F_tiny"), _batch(2, 8, 0.2), _batch(1, 8),
     "two of the lesson's generators on 8 x 8 crops"),
]


def cycle_consistency_loss(G, F, x, y):
    return np.mean(np.abs(F(G(x)) - x)) + np.mean(np.abs(G(F(y)) - y))


q3 = Question(
    "q3", "The cycle-consistency loss",
    cases=[
        Case(args=(_Net(lambda im: 2 * im), _Net(lambda im: im / 2), _batch(2), _batch(2)),
             label="G doubles, F halves: each undoes the other, so 0"),
        *[Case(args=pair[:4], label=pair[4]) for pair in _PAIRS],
    ],
    reference=lambda G, F, x, y: float(cyclegan.cycle_loss(x, F(G(x))) + cyclegan.cycle_loss(y, G(F(y)))),
    compare=_close,
    hint="Two round trips: foggy x -> G -> F must come back to x, clear y -> F -> G must come back to y. Each term "
         "is the mean absolute difference (L1) between the image and its round trip; add the two means.",
    solution=cycle_consistency_loss,
)


def identity_mapping_loss(G, F, x, y):
    return np.mean(np.abs(G(y) - y)) + np.mean(np.abs(F(x) - x))


q4 = Question(
    "q4", "The identity loss",
    cases=[
        Case(args=(_SAME, _SAME, _batch(2), _batch(2)), label="both generators leave images unchanged: 0"),
        Case(args=(_Net(lambda im: im + 0.1), _SAME, _batch(2), _batch(2)), label="G adds 0.1 to each pixel, F changes nothing: 0.1"),
        *[Case(args=pair[:4], label=pair[4]) for pair in _PAIRS],
    ],
    reference=lambda G, F, x, y: float(cyclegan.identity_loss(y, G(y)) + cyclegan.identity_loss(x, F(x))),
    compare=_close,
    hint="Give each generator an image that is already in the domain it translates to: the defogger G gets the "
         "clear y, the fogger F gets the foggy x. Each should hand it back unchanged: mean |G(y) - y| + mean |F(x) - x|.",
    solution=identity_mapping_loss,
)


# ---------------------------------------------------------------- q5: the image history pool

def make_pool(size, rng):
    stored = []

    def query(batch):
        out = []
        for image in batch:
            if len(stored) < size:
                stored.append(image)
                out.append(image)
            elif rng.random() < 0.5:
                k = rng.integers(size)
                out.append(stored[k])
                stored[k] = image
            else:
                out.append(image)
        return np.stack(out)

    return query


def _check_pool(query, case):
    """Feed numbered images (image k is all k) in batches of 1 to 4, and follow what the pool must hold."""
    size = case.args[0]
    n = 1000 + 30 * size
    if not callable(query):
        return f"make_pool must return the function that queries the pool, got {type(query).__name__}"
    pool, new_kept, swapped, oldest_or_newest, k, batches = [], 0, 0, 0, 0, 0
    while k < n:
        ids, batches = list(range(k, min(k + (1, 3, 2, 4)[batches % 4], n))), batches + 1
        batch = np.stack([np.full((2, 2, 3), i, np.float32) for i in ids])
        try:
            out = np.asarray(query(batch.copy()), np.float32)
        except Exception as err:
            return f"query raised {type(err).__name__}: {err} (on images {ids[0]} to {ids[-1]})"
        if out.shape != batch.shape:
            return f"query of a batch {batch.shape} returned shape {out.shape}"
        for i, image in zip(ids, out):
            value = image.flat[0]
            if not (np.isfinite(value) and np.all(image == value) and value == round(value) and 0 <= value <= i):
                return f"image {i}: query returned {image.ravel()[:3]} ..., which is none of the images given so far"
            got = int(value)
            if len(pool) < size and got != i:
                return f"image {i} came while the pool held {len(pool)} of {size}: it must come back itself (and be stored), got image {got}"
            if len(pool) < size:
                pool.append(i)
            elif got == i:
                new_kept += 1
            elif got in pool:
                swapped += 1
                oldest_or_newest += got in (min(pool), max(pool))
                pool[pool.index(got)] = i
            else:
                return (f"image {i}: query returned image {got}, which the pool no longer holds (it held {sorted(pool)}). "
                        "Once full, a returned new image is not stored; a swapped-out old one leaves the pool")
        k = ids[-1] + 1
    share = swapped / max(swapped + new_kept, 1)
    if abs(share - 0.5) > 0.07:
        return f"after the pool filled, {share:.0%} of {swapped + new_kept} images were swapped for old ones; expected about 50%"
    if size >= 5 and oldest_or_newest > 0.6 * swapped:
        return (f"the swapped-out image was the oldest or the newest in the pool {oldest_or_newest} times out of {swapped} "
                f"(at random: about {2 / size:.0%}); pick a random one, rng.integers(size)")
    return None


q5 = Question(
    "q5", "The image history pool",
    cases=[Case(args=(1, np.random.default_rng(0)), label="a pool of 1, 1,030 images"),
           Case(args=(5, np.random.default_rng(1)), label="a pool of 5, 1,150 images"),
           Case(args=(50, np.random.default_rng(2)), label="the paper's pool of 50, 2,500 images")],
    checker=_check_pool,
    hint="Keep a list. While it holds fewer than `size` images, store each new image and return it. Once full, "
         "for each image: with probability 1/2 (rng.random() < 0.5) pick k = rng.integers(size), return stored[k] "
         "and put the new image in its place; otherwise return the new image and store nothing. np.stack the results.",
    solution=make_pool,
)
