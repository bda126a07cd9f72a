"""The asset manager: every file the course downloads goes through here (CONTRIBUTING §6).

A registry names each file with its origin URL, sha256 and size. `fetch(name)` returns a
verified local copy, taken from (in order) the Keras cache, the mirror folder named by
$CREATIVE_LIB_MIRROR, or the origin. A download goes to a temporary file that is renamed into
place only once its checksum matches, so an interrupted download never leaves a bad file.

    python -m creative_lib.assets list
    make assets     # every registered file, and the ImageNet networks (creative_lib.backbones), once
"""
import functools
import hashlib
import os
import shutil
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from creative_lib.files import write_atomically

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


def fetch_each(jobs, out=None):
    """Run each (label, job), printing ok or FAILED for it; return the labels that failed.

    It keeps going after a failure, so that one run reports every missing file at once.
    """
    out = out or sys.stdout
    failed = []
    for label, job in jobs:
        try:
            job()
            print(f"  ok      {label}", file=out)
        except Exception as err:
            failed.append(label)
            print(f"  FAILED  {label}: {str(err).splitlines()[0][:160]}", file=out)
    return failed


def fetch_all(out=None):
    """Fetch every registered file; return the names that failed."""
    return fetch_each([(name, functools.partial(fetch, name)) for name in REGISTRY], out)


def main(argv=None):
    args = sys.argv[1:] if argv is None else argv
    if args == ["list"]:
        for a in REGISTRY.values():
            print(f"{a.name:16s} {a.size:>10,d} B  {a.url}")
        return 0
    print("usage: python -m creative_lib.assets list", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
