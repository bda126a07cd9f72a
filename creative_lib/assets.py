"""The asset manager: every file the course downloads goes through here (CONTRIBUTING §6).

A registry names each file with its origin URL, sha256 and size. `fetch(name)` returns a
verified local copy, taken from (in order) the Keras cache, the mirror folder named by
$CREATIVE_LIB_MIRROR, or the origin. A download goes to a temporary file that is renamed into
place only once its checksum matches, so an interrupted download never leaves a bad file.

    python -m creative_lib.assets fetch-all     # behind `make assets`: fill the cache for an offline classroom
    python -m creative_lib.assets list
"""
import hashlib
import os
import shutil
import sys
import tempfile
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import numpy as np

MIRROR_ENV = "CREATIVE_LIB_MIRROR"
FIX_OFFLINE = "run `make assets` once on a machine with the internet (or set CREATIVE_LIB_MIRROR to a folder holding a copy)"


@dataclass(frozen=True)
class Asset:
    name: str
    url: str
    sha256: str
    size: int
    relpath: str  # where it lives inside the cache folder and inside a mirror folder


_JCJ = "https://raw.githubusercontent.com/jcjohnson/neural-style/master/examples/inputs/"

REGISTRY = {a.name: a for a in [
    Asset("tinyshakespeare", "https://storage.googleapis.com/download.tensorflow.org/data/shakespeare.txt",
          "86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed", 1115394, "text/tinyshakespeare.txt"),
    Asset("tubingen", _JCJ + "tubingen.jpg",
          "e67d1869f01fd805385c681a80d9ebcf0f70ea4a5fe6127f0606bb1c7f4bf506", 406531, "images/tubingen.jpg"),
    Asset("starry_night", _JCJ + "starry_night.jpg",
          "0592ab0f7b51b3ce72608a95e53880bd93971e5b48f93a0ce8dfd3cbccf3d098", 315236, "images/starry_night.jpg"),
    Asset("the_scream", _JCJ + "the_scream.jpg",
          "f3075cddeb974a9ee1d6418f7f33fd05185a7ac7dcb4288bd2805d499a9dcaee", 216723, "images/the_scream.jpg"),
    Asset("shipwreck", _JCJ + "shipwreck.jpg",
          "4f7cf34e3cd4a5daaf3f421f059ca9a01aaa2a3afd7243d6670c9c8bc001a213", 144730, "images/shipwreck.jpg"),
    Asset("seated_nude", _JCJ + "seated-nude.jpg",
          "f398757cfb5346842c3bc309ca65d03381b38b1f5f8d7c60abe68a804a405cf1", 101993, "images/seated-nude.jpg"),
    Asset("golden_gate", _JCJ + "golden_gate.jpg",
          "f8476ac216e0d409af2e52bf82ad2cdc3433e23d7895e6f9b2048fc014ed57ba", 102100, "images/golden_gate.jpg"),
    Asset("mnist", "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz",
          "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1", 11490434, "datasets/mnist.npz"),
]}

# ImageNet weights are fetched by keras.applications itself, which verifies its own checksums.
IMAGENET_BACKBONES = ("VGG16", "VGG19", "InceptionV3")
IMAGENET_DOWNLOADS = [(b, False) for b in IMAGENET_BACKBONES] + [("InceptionV3", True)]  # (network, with classifier)


class AssetUnavailable(RuntimeError):
    """A registered file is neither cached, mirrored nor downloadable right now."""


class AssetCorrupt(RuntimeError):
    """A file's size or sha256 does not match the registry."""


def cache_dir():
    """The Keras cache's folder for the course: $KERAS_HOME/creative_lib, else ~/.keras/creative_lib."""
    home = os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")
    return Path(home) / "creative_lib"


def sha256_of(path, chunk=1 << 20):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(chunk), b""):
            digest.update(block)
    return digest.hexdigest()


def verify(asset, path):
    """Raise AssetCorrupt unless `path` has the registered size and sha256."""
    size = os.path.getsize(path)
    if size != asset.size:
        raise AssetCorrupt(f"{asset.name}: {size} bytes where {asset.size} were expected.")
    digest = sha256_of(path)
    if digest != asset.sha256:
        raise AssetCorrupt(f"{asset.name}: sha256 {digest[:12]}... does not match the registry's {asset.sha256[:12]}...")


def write_atomically(target, write_to):
    """Call write_to(tmp_path) on a temporary file beside `target`, then move it into place.

    If write_to raises, `target` is left as it was and the temporary file is removed.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    os.close(fd)
    try:
        write_to(tmp)
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    return target


def _install(asset, write_to):
    """Call write_to(tmp_path), verify the result and move it atomically into the cache."""
    def write_and_verify(tmp):
        write_to(tmp)
        verify(asset, tmp)

    return write_atomically(cache_dir() / asset.relpath, write_and_verify)


def _download(url, tmp, timeout=30):
    with urllib.request.urlopen(url, timeout=timeout) as response, open(tmp, "wb") as out:
        shutil.copyfileobj(response, out, length=1 << 20)


def _mirrored(asset):
    """The asset's copy in the $CREATIVE_LIB_MIRROR folder, or None."""
    mirror = os.environ.get(MIRROR_ENV)
    path = Path(mirror) / asset.relpath if mirror else None
    return path if path and path.exists() else None


def fetch(name):
    """A verified local path of the registered file `name`.

    Raises AssetUnavailable, with the command that fixes it, when the file is not cached,
    not in the mirror and cannot be downloaded.
    """
    if name not in REGISTRY:
        raise KeyError(f"no asset named {name!r}; registered: {', '.join(sorted(REGISTRY))}.")
    asset = REGISTRY[name]
    cached = cache_dir() / asset.relpath
    if cached.exists():
        try:
            verify(asset, cached)
            return cached
        except AssetCorrupt:
            cached.unlink()  # a damaged copy is replaced below
    mirrored = _mirrored(asset)
    if mirrored:
        return _install(asset, lambda tmp: shutil.copyfile(mirrored, tmp))
    try:
        return _install(asset, lambda tmp: _download(asset.url, tmp))
    except (urllib.error.URLError, OSError, TimeoutError) as err:
        reason = getattr(err, "reason", err)
        raise AssetUnavailable(f"Could not download {name} from {asset.url} ({reason}). "
                               f"To fix: {FIX_OFFLINE}.") from None


def available_offline(name):
    """Whether fetch(name) needs no download: the registered file is in the cache or in the mirror folder."""
    asset = REGISTRY[name]
    return (cache_dir() / asset.relpath).exists() or _mirrored(asset) is not None


def offline_banner(message):
    """A warning a reader cannot miss: a coloured box in Jupyter, framed text elsewhere.

    Lessons show it when a download is impossible, before carrying on with their fallback.
    """
    line = "=" * 78
    text = f"{line}\n⚠  {message}\n{line}"
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:
        get_ipython = None
    if get_ipython is None or get_ipython() is None:
        print(text)
        return
    html = ('<div style="border:2px solid #c60;background:#fff4e0;padding:8px;font-weight:bold">'
            f"⚠ {message}</div>")
    display({"text/html": html, "text/plain": text}, raw=True)


def load_mnist():
    """MNIST through the asset manager: ((x_train, y_train), (x_test, y_test)), uint8 28x28 images."""
    with np.load(fetch("mnist")) as data:
        return (data["x_train"], data["y_train"]), (data["x_test"], data["y_test"])


def fetch_imagenet_weights(backbone, include_top=False):
    """keras.applications.<backbone> with ImageNet weights (downloaded once, cached), without its classifier by default."""
    import keras

    return getattr(keras.applications, backbone)(weights="imagenet", include_top=include_top)


def fetch_all(out=None):
    """Fetch every registered file and ImageNet backbone; return the names that failed."""
    out = out or sys.stdout
    failed = []
    jobs = [(name, lambda n=name: fetch(n)) for name in REGISTRY]
    jobs += [(f"{b} ImageNet {'classifier' if top else 'weights'}", lambda b=b, top=top: fetch_imagenet_weights(b, top))
             for b, top in IMAGENET_DOWNLOADS]
    for label, job in jobs:
        try:
            job()
            print(f"  ok      {label}", file=out)
        except Exception as err:  # keep going: report every missing file at once
            failed.append(label)
            print(f"  FAILED  {label}: {str(err).splitlines()[0][:160]}", file=out)
    return failed


def main(argv=None):
    args = sys.argv[1:] if argv is None else argv
    if args == ["list"]:
        for a in REGISTRY.values():
            print(f"{a.name:16s} {a.size:>10,d} B  {a.url}")
        return 0
    if args == ["fetch-all"]:
        print(f"Filling the cache in {cache_dir()} (and the Keras model cache):")
        failed = fetch_all()
        print("All assets are cached: the course now runs offline." if not failed
              else f"{len(failed)} asset(s) could not be fetched; connect to the internet and run `make assets` again.")
        return 1 if failed else 0
    print("usage: python -m creative_lib.assets [list | fetch-all]", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
