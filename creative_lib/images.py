"""Turn whatever image a user brings into float32 RGB in [0, 1] (CONTRIBUTING §10).

    img = load_image("my_photo.png", max_side=512)   # HxWx3 float32, values in [0, 1]

Accepted: a path (str or pathlib.Path), the file's bytes (what an ipywidgets FileUpload
gives), a PIL image, or a NumPy array. Grayscale, grayscale+alpha, RGBA (composited on
white), palette, 1-bit, 16-bit and float images are converted; an image larger than
`max_side` is resized down; one smaller than `min_side` is upscaled (or refused with
`upscale_small=False`). Anything else gets a one-sentence ValueError that says what is
accepted. The input is only ever read, never written.

    small = resize(img, (128, 96))                     # the course's one resizer: (..., H, W, C) -> (..., 128, 96, C)
    save_image(result, run.path("dream.png"))         # float [0, 1] or uint8 -> PNG or JPEG
    save_gif(frames, run.path("walk.gif"), ms=90)      # pictures -> an animated GIF that loops
    psnr(photo, restored), ssim(photo, restored)       # the course's two scores of a picture against its reference

save_image and save_gif refuse NaN or infinite pixels, never write over a file that load_image
read in this process, and replace an existing file only if they wrote it (they mark their PNGs,
JPEGs and GIFs) or `overwrite=True` is passed.
"""
import io
import warnings
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError
from PIL.PngImagePlugin import PngInfo

from creative_lib.files import write_atomically

FILE_TYPES = "a PNG, JPEG, BMP, GIF, TIFF or WebP file"
ACCEPTED = f"{FILE_TYPES} (path or bytes), a PIL image, or a NumPy array shaped HxW, HxWx1, HxWx2, HxWx3 or HxWx4"
MAX_PIXELS = 200_000_000  # what we agree to decode at all; larger files are refused, not resized
_INPUT_FILES = set()  # resolved paths that load_image has read in this process: save_image never writes there


def load_image(source, max_side=None, min_side=16, upscale_small=True, upload_name=None):
    """A float32 HxWx3 image in [0, 1] from a path, bytes, PIL image or array.

    upload_name: the file name of bytes a person uploaded; a refusal then names that file and
              says which files to upload.

    max_side: if given, the longer side is shrunk to at most this many pixels (aspect kept).
    min_side: the shorter side must reach this many pixels; smaller images are upscaled to it
              (aspect kept) or, with upscale_small=False, refused with a ValueError.
    """
    if isinstance(source, np.ndarray):
        rgb = _array_to_rgb(source)
    elif isinstance(source, Image.Image):
        rgb = _pil_to_rgb(source)
    elif isinstance(source, (bytes, bytearray, memoryview)):
        name, accepted = (f"The file {upload_name!r}", f"upload {FILE_TYPES}") if upload_name else \
            ("the uploaded bytes", f"give {ACCEPTED}")
        rgb = _pil_to_rgb(_open(io.BytesIO(bytes(source)), name, accepted))
    elif isinstance(source, (str, Path)):
        path = Path(source).expanduser()
        if not path.is_file():
            raise FileNotFoundError(f"No image file at {source!s}; give the path of {FILE_TYPES}.")
        _INPUT_FILES.add(path.resolve())
        with open(path, "rb") as f:  # read-only: the user's file is never touched
            rgb = _pil_to_rgb(_open(io.BytesIO(f.read()), f"{path.name!r}", f"give {ACCEPTED}"))
    else:
        raise ValueError(f"load_image got a {type(source).__name__}; it accepts {ACCEPTED}.")
    return _fit_size(rgb, max_side, min_side, upscale_small)


def _open(stream, name, accepted):
    """Decode an image file with PIL, turning its errors into one-sentence ValueErrors ("...; {accepted}.")."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            saved, Image.MAX_IMAGE_PIXELS = Image.MAX_IMAGE_PIXELS, MAX_PIXELS
            try:
                image = Image.open(stream)
                image.load()
            finally:
                Image.MAX_IMAGE_PIXELS = saved
    except UnidentifiedImageError:
        raise ValueError(f"{name} is not an image that can be read; {accepted}.") from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValueError(f"{name} has more than {MAX_PIXELS:,} pixels; give an image below that size.") from None
    except (OSError, SyntaxError) as err:
        raise ValueError(f"{name} could not be decoded ({err}); {accepted}.") from None
    return ImageOps.exif_transpose(image)


def _pil_to_rgb(image):
    """PIL image of any mode -> float32 HxWx3 in [0, 1]."""
    if image.mode == "P":  # palette: keep its transparency if it has one
        image = image.convert("RGBA" if "transparency" in image.info else "RGB")
    elif image.mode in ("CMYK", "YCbCr", "LAB", "HSV", "PA"):
        image = image.convert("RGBA" if image.mode == "PA" else "RGB")
    elif image.mode == "1":
        image = image.convert("L")
    return _array_to_rgb(np.asarray(image))


def _array_to_rgb(array):
    """NumPy image of any dtype and channel count -> float32 HxWx3 in [0, 1]."""
    a = np.asarray(array)
    if a.ndim == 3 and a.shape[-1] == 1:
        a = a[..., 0]
    if a.ndim not in (2, 3) or (a.ndim == 3 and a.shape[-1] not in (2, 3, 4)) or min(a.shape[:2]) == 0:
        raise ValueError(f"An image array of shape {a.shape} cannot be read; give {ACCEPTED}.")
    x = _to_unit_float(a)
    if x.ndim == 2:
        x = x[..., None]
    if x.shape[-1] in (2, 4):  # an alpha channel: composite on white
        colour, alpha = x[..., :-1], x[..., -1:]
        x = colour * alpha + (1.0 - alpha)
    if x.shape[-1] == 1:
        x = np.repeat(x, 3, axis=-1)
    return np.ascontiguousarray(x, dtype=np.float32)


def _to_unit_float(a):
    """Scale bool, integer (8, 16 or wider bits) or float pixel values to float32 in [0, 1]."""
    if a.dtype == bool:
        return a.astype(np.float32)
    if np.issubdtype(a.dtype, np.integer):
        top = float(a.max())
        scale = 255.0 if a.dtype.itemsize == 1 or top <= 255 else 65535.0 if top <= 65535 else top
        if a.dtype == np.uint16:
            scale = 65535.0
        return np.clip(a.astype(np.float32) / scale, 0.0, 1.0)
    if np.issubdtype(a.dtype, np.floating):
        x = a.astype(np.float32)
        if not np.all(np.isfinite(x)):
            raise ValueError("The image holds NaN or infinite values; give finite pixel values.")
        low, high = float(x.min()), float(x.max())
        if low >= 0.0 and high <= 1.0:
            return x
        if low >= 0.0 and high <= 255.0:  # 0-255 values stored as floats
            return x / 255.0
        return (x - low) / max(high - low, 1e-12)  # any other range: stretch to [0, 1]
    raise ValueError(f"Image arrays of dtype {a.dtype} cannot be read; give {ACCEPTED}.")


def _fit_size(rgb, max_side, min_side, upscale_small):
    """Resize down to max_side, or up to min_side, keeping the aspect ratio."""
    h, w = rgb.shape[:2]
    if min_side and min(h, w) < min_side and not upscale_small:
        raise ValueError(f"The image is {w}x{h} pixels; images must be at least {min_side} pixels on their shorter side.")
    too_thin = ValueError(f"The image is {w}x{h} pixels, too thin to keep {min_side} pixels on its shorter side "
                          f"within {max_side} on its longer side; give a less elongated image.")
    if min_side and min(h, w) < min_side:
        if max_side and max(h, w) * min_side / min(h, w) > max_side:
            raise too_thin
        scale = min_side / min(h, w)
    elif max_side and max(h, w) > max_side:
        if min_side and round(min(h, w) * max_side / max(h, w)) < min_side:
            raise too_thin
        scale = max_side / max(h, w)
    else:
        return rgb
    return np.clip(resize(rgb, scaled_size(rgb, scale)), 0.0, 1.0)  # float rounding can step just past 1


def scaled_size(image, scale):
    """The (h, w) of an (H, W, ...) image scaled by `scale`, at least one pixel each."""
    return tuple(max(1, round(n * scale)) for n in image.shape[:2])


def resize(image, size):
    """(H, W, C) or (B, H, W, C) -> the same with (h, w) = size: bilinear, antialiased when shrinking.

    The course's one resizer (tf.image.resize): a tensor in gives a tensor out, anything else a
    float32 NumPy array.
    """
    import tensorflow as tf

    resized = tf.image.resize(image, size, method="bilinear", antialias=True)
    return resized if tf.is_tensor(image) else resized.numpy()


def square_crop(rgb, size):
    """(H, W, 3) -> (size, size, 3): the largest centred square, resized (for a classifier's fixed input)."""
    h, w = rgb.shape[:2]
    side = min(h, w)
    top, left = (h - side) // 2, (w - side) // 2
    return resize(rgb[top:top + side, left:left + side], (size, size))


SKIMAGE_PHOTOS = ("astronaut", "camera", "coffee", "chelsea", "rocket", "coins", "brick", "grass", "gravel")


def load_photo(name_or_source, max_side=None, min_side=16):
    """A photo that ships with scikit-image (by name, e.g. "astronaut"), or anything load_image accepts."""
    if isinstance(name_or_source, str) and name_or_source in SKIMAGE_PHOTOS:
        import skimage.data

        name_or_source = getattr(skimage.data, name_or_source)()
    return load_image(name_or_source, max_side=max_side, min_side=min_side)


def psnr(reference, image):
    """Peak signal-to-noise ratio of `image` against `reference`, in dB (higher is closer); inf when they are equal.

    Both float in [0, 1], shaped (H, W, 3) or (H, W), the same shape: 10 * log10(1 / mean squared error).
    """
    reference, image = _score_pair(reference, image)
    if np.array_equal(reference, image):
        return float("inf")
    from skimage.metrics import peak_signal_noise_ratio

    return float(peak_signal_noise_ratio(reference, image, data_range=1.0))


def ssim(reference, image):
    """Structural similarity of `image` to `reference` (Wang et al. 2004): 1 when equal, lower as structure differs.

    Both float in [0, 1], shaped (H, W, 3) or (H, W), the same shape, at least 7 pixels on each side.
    """
    reference, image = _score_pair(reference, image)
    channel_axis = -1 if image.ndim == 3 else None
    from skimage.metrics import structural_similarity

    return float(structural_similarity(reference, image, data_range=1.0, channel_axis=channel_axis))


def _score_pair(reference, image):
    """Two images as float64 arrays of one shape, (H, W, 3) or (H, W); anything else is a ValueError."""
    reference, image = np.asarray(reference, np.float64), np.asarray(image, np.float64)
    if reference.shape != image.shape or not (image.ndim == 2 or (image.ndim == 3 and image.shape[-1] == 3)):
        raise ValueError(f"A score compares two images of one shape, (H, W, 3) or (H, W), not {reference.shape} "
                         f"and {image.shape}.")
    return reference, image


SAVE_MARK = "creative_lib.images.save_image"  # stored in each file save_image and save_gif write
SAVE_TYPES = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG"}
SAVE_ACCEPTED = "float pixels in [0, 1] or uint8, shaped HxWx3, 1xHxWx3, HxW or HxWx1"


def save_image(image, path, *, quality=95, overwrite=False):
    """Write an image to a .png, .jpg or .jpeg file; returns the Path.

    image: float in [0, 1] (values up to 0.25 outside are clipped) or uint8, shaped HxWx3,
           (1, H, W, 3), HxW or HxWx1 (grayscale); a NumPy array or a tensor.
    Never writes over a file that load_image read in this process. Replaces another existing
    file only if save_image wrote it or overwrite=True. The write is atomic.
    """
    pixels = _to_uint8(image)
    target = Path(path).expanduser()
    kind = SAVE_TYPES.get(target.suffix.lower())
    if kind is None:
        raise ValueError(f"save_image writes PNG or JPEG files; give a path ending in .png, .jpg or .jpeg, not {target.name!r}.")
    _check_target(target, overwrite)
    picture = Image.fromarray(pixels)
    if kind == "PNG":
        info = PngInfo()
        info.add_text("Software", SAVE_MARK)
        options = {"pnginfo": info}
    else:
        options = {"quality": int(quality), "comment": SAVE_MARK.encode()}
    return write_atomically(target, lambda tmp: picture.save(tmp, format=kind, **options))


def save_gif(frames, path, ms=150, last_ms=1000, *, overwrite=False):
    """Write pictures (each as save_image takes them, all of one shape) as a .gif that loops; returns the Path.

    Each frame shows for `ms` milliseconds, the last for `last_ms`. The same rules as save_image.
    """
    target = Path(path).expanduser()
    if target.suffix.lower() != ".gif":
        raise ValueError(f"save_gif writes GIF files; give a path ending in .gif, not {target.name!r}.")
    _check_target(target, overwrite)
    pictures = [Image.fromarray(_to_uint8(frame)) for frame in frames]
    durations = [ms] * (len(pictures) - 1) + [last_ms]
    return write_atomically(target, lambda tmp: pictures[0].save(
        tmp, format="GIF", save_all=True, append_images=pictures[1:], duration=durations, loop=0, optimize=True,
        comment=SAVE_MARK.encode()))


def _check_target(target, overwrite):
    """Refuse to write over an input image, or over a file we did not write unless overwrite=True."""
    if target.resolve() in _INPUT_FILES:
        raise ValueError(f"{target} was read as an input image; save_image never overwrites an input, so choose another name.")
    if target.exists() and not overwrite and not _saved_by_us(target):
        raise FileExistsError(f"{target} already exists and was not written by save_image; choose another name "
                              "or pass overwrite=True to replace it.")


def _to_uint8(image):
    """float [0, 1] or uint8 image, HxWx3 / 1xHxWx3 / HxW / HxWx1 -> uint8 HxWx3 or HxW."""
    a = np.asarray(image)
    if a.ndim == 4 and a.shape[0] == 1:
        a = a[0]
    if a.ndim == 3 and a.shape[-1] == 1:
        a = a[..., 0]
    if not (a.ndim == 2 or (a.ndim == 3 and a.shape[-1] == 3)) or min(a.shape[:2]) == 0:
        raise ValueError(f"save_image cannot write an array of shape {a.shape}; give {SAVE_ACCEPTED}.")
    if a.dtype == np.uint8:
        return a
    if not np.issubdtype(a.dtype, np.floating):
        raise ValueError(f"save_image cannot write pixels of dtype {a.dtype}; give {SAVE_ACCEPTED}.")
    if not np.all(np.isfinite(a)):
        raise ValueError("The image holds NaN or infinite values, so it is not saved; check the computation that made it.")
    low, high = float(a.min()), float(a.max())
    if low < -0.25 or high > 1.25:
        raise ValueError(f"The image's values run from {low:.3g} to {high:.3g}; save_image takes {SAVE_ACCEPTED} "
                         "(divide 0-255 values by 255, or deprocess a network's input first).")
    return np.round(np.clip(a, 0.0, 1.0) * 255.0).astype(np.uint8)


def _saved_by_us(path):
    """True when the file at `path` carries save_image's mark (a PNG text chunk, a JPEG or GIF comment)."""
    try:
        with Image.open(path) as existing:
            mark = existing.info.get("Software") or existing.info.get("comment") or b""
    except (OSError, ValueError):
        return False
    return (mark.decode(errors="replace") if isinstance(mark, bytes) else mark) == SAVE_MARK
