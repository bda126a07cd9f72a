"""What the lessons show: image grids, training curves, a figure redrawn in place, PNG bytes, a live preview,
and the banner a lesson shows when it carries on without a download.

    sheet = mosaic(images, ncols=8)                     # (N, h, w[, 1 or 3]) -> one uint8 picture, grey or RGB
    big = enlarge(sheet, 3)                             # each pixel a 3x3 block: sharp when shown large
    frames, found = frames_of_folder(frames_dir, max_frames=25, factor=2)
    save_gif(frames, run.path("training.gif"))          # creative_lib.images writes the GIF
"""
import io
import math
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from IPython import get_ipython
from IPython.display import display
from PIL import Image
from tqdm.auto import tqdm


def as_displayable(image):
    """An image as matplotlib wants it: HxW or HxWx3, float in [0, 1] or uint8.

    Accepts NumPy arrays or tensors, with a leading batch axis of 1 or a trailing channel of 1.
    """
    image = np.asarray(image)
    if image.ndim == 4 and image.shape[0] == 1:
        image = image[0]
    if image.ndim == 3 and image.shape[-1] == 1:
        image = image[..., 0]
    if image.dtype != np.uint8:
        image = np.clip(image.astype(np.float32), 0.0, 1.0)
    return image


def image_grid(images, titles=None, ncols=None, cmap=None, suptitle=None, size=2.2):
    """Show `images` in a grid, one optional title each; returns the Figure."""
    n = len(images)
    ncols = ncols or min(n, 6)
    nrows = math.ceil(n / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(size * ncols, size * nrows), squeeze=False)
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i < n:
            img = as_displayable(images[i])
            ax.imshow(img, cmap=cmap or ("gray" if img.ndim == 2 else None))
            if titles is not None:
                ax.set_title(titles[i], fontsize=9)
    if suptitle:
        fig.suptitle(suptitle)
    fig.tight_layout()
    return fig


def mosaic(images, ncols=8, gap=2, background=255):
    """Pictures side by side, ncols to a row, `gap` pixels of `background` between them: one uint8 picture.

    images: (N, h, w) or (N, h, w, 1) -> (H, W) grey; (N, h, w, 3) -> (H, W, 3) RGB; float in [0, 1] or uint8.
    H = rows * (h + gap) - gap and W = ncols * (w + gap) - gap, where rows = ceil(N / ncols).
    """
    images = np.asarray(images)
    if images.ndim == 4 and images.shape[-1] == 1:
        images = images[..., 0]
    if images.dtype != np.uint8:
        images = np.round(np.clip(images, 0.0, 1.0) * 255.0).astype(np.uint8)
    n, h, w = images.shape[:3]
    rows = -(-n // ncols)
    sheet = np.full((rows * (h + gap) - gap, ncols * (w + gap) - gap) + images.shape[3:], background, np.uint8)
    for k in range(n):
        r, c = divmod(k, ncols)
        sheet[r * (h + gap):r * (h + gap) + h, c * (w + gap):c * (w + gap) + w] = images[k]
    return sheet


def enlarge(picture, factor):
    """A uint8 picture (H, W) or (H, W, 3) -> (H * factor, W * factor[, 3]): each pixel a factor x factor block."""
    return np.asarray(picture).repeat(factor, axis=0).repeat(factor, axis=1)


def frames_of_folder(folder, max_frames=25, factor=1):
    """The folder's PNGs in name order, at most max_frames evenly spaced, each enlarged: (uint8 pictures, PNGs found).

    The frames of an animation a lesson saved as it trained; images.save_gif(frames, path) makes the GIF.
    """
    files = sorted(Path(folder).glob("*.png"))
    if not files:
        raise ValueError(f"{folder} holds no PNG files, so there are no frames to show.")
    keep = np.unique(np.linspace(0, len(files) - 1, min(len(files), max_frames)).round().astype(int))
    return [enlarge(np.asarray(Image.open(files[k])), factor) for k in keep], len(files)


def curves(history, title=None, xlabel="step", logy=False, ax=None):
    """Plot each named series of `history` (dict name -> list of floats); returns the Figure."""
    if ax is None:
        fig, ax = plt.subplots(figsize=(6, 3.2))
    else:
        fig = ax.figure
    for name, values in history.items():
        ax.plot(np.arange(1, len(values) + 1), values, label=name, lw=1.2)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("value")
    if logy:
        ax.set_yscale("log")
    if title:
        ax.set_title(title)
    if len(history) > 1:
        ax.legend()
    ax.grid(alpha=0.3)
    return fig


def moving_average(values, width):
    """The mean over a sliding window of `width` (shorter at the start): same length as values."""
    values = np.asarray(values, np.float64)
    sums = np.cumsum(np.insert(values, 0, 0.0))
    k = np.arange(1, len(values) + 1)
    lo = np.maximum(0, k - width)
    return (sums[k] - sums[lo]) / (k - lo)


def figure_png(fig, dpi=90, close=True):
    """The figure as PNG bytes (for an ipywidgets Image); closes it so it is not shown twice."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
    if close:
        plt.close(fig)
    return buffer.getvalue()


class LiveFigure:
    """One notebook output that shows a figure and is redrawn in place: live.show(fig), again and again."""

    def __init__(self):
        self.handle = None

    def show(self, fig):
        if self.handle is None:
            self.handle = display(fig, display_id=True)
        else:
            self.handle.update(fig)


class Preview:
    """A progress bar, and optionally the image redrawn in place, for an optimisation a person waits on.

        preview = Preview(total=150, desc="L-BFGS", every=10)
        image, history = lbfgs(loss, init, 150, every=1, on_step=preview.step)
    """

    def __init__(self, total, desc, every=10, show=True):
        self.bar = tqdm(total=total, desc=desc, unit="step", leave=True)
        self.every, self.figure = every, LiveFigure() if show else None

    def step(self, k, image):
        """on_step(k, image): move the bar to k, and every `every` steps (and at the end) show the image."""
        self.bar.update(k - self.bar.n)
        if self.figure and (k % self.every == 0 or k == self.bar.total):
            fig = image_grid([image], [f"{self.bar.desc}: {k} of {self.bar.total}"], size=3.2)
            self.figure.show(fig)
            plt.close(fig)
        if k >= self.bar.total:
            self.bar.close()


def offline_banner(message):
    """A warning a reader cannot miss: a coloured box in Jupyter, framed text elsewhere.

    Lessons show it when a download is impossible, before carrying on with their fallback.
    """
    line = "=" * 78
    text = f"{line}\n⚠  {message}\n{line}"
    if get_ipython() is None:
        print(text)
        return
    html = ('<div style="border:2px solid #c60;background:#fff4e0;padding:8px;font-weight:bold">'
            f"⚠ {message}</div>")
    display({"text/html": html, "text/plain": text}, raw=True)
