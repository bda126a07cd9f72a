import re
import urllib.error
from pathlib import Path

import pytest

from creative_lib import assets

MIRROR = Path(__file__).resolve().parent.parent.parent / "shared" / "assets"


@pytest.fixture
def fresh_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    monkeypatch.delenv(assets.MIRROR_ENV, raising=False)
    return tmp_path


@pytest.fixture
def offline(monkeypatch):
    def refuse(url, tmp, timeout=30):
        raise urllib.error.URLError("Name or service not known")
    monkeypatch.setattr(assets, "_download", refuse)


def make_mirror(root, asset, payload):
    path = root / "mirror" / asset.relpath
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(payload)
    return root / "mirror"


def test_offline_without_mirror_says_what_to_run(fresh_cache, offline):
    with pytest.raises(assets.AssetUnavailable, match="make assets"):
        assets.fetch("mnist")


def test_unknown_asset_names_the_registered_ones(fresh_cache):
    with pytest.raises(KeyError, match="tinyshakespeare"):
        assets.fetch("imagenet")


def test_mirror_file_is_verified_and_cached(fresh_cache, offline, monkeypatch):
    payload = b"To be, or not to be\n"
    fake = assets.Asset("poem", "https://example.invalid/poem.txt",
                        __import__("hashlib").sha256(payload).hexdigest(), len(payload), "text/poem.txt")
    monkeypatch.setitem(assets.REGISTRY, "poem", fake)
    monkeypatch.setenv(assets.MIRROR_ENV, str(make_mirror(fresh_cache, fake, payload)))
    path = assets.fetch("poem")
    assert path.read_bytes() == payload and path.is_relative_to(assets.cache_dir())
    monkeypatch.delenv(assets.MIRROR_ENV)
    assert assets.fetch("poem") == path  # now served from the cache, offline and mirror-less
    assert not list(path.parent.glob("*.part"))


def test_corrupt_mirror_file_is_refused_and_not_cached(fresh_cache, offline, monkeypatch):
    fake = assets.Asset("poem", "https://example.invalid/poem.txt", "0" * 64, 5, "text/poem.txt")
    monkeypatch.setitem(assets.REGISTRY, "poem", fake)
    monkeypatch.setenv(assets.MIRROR_ENV, str(make_mirror(fresh_cache, fake, b"12345")))
    with pytest.raises(assets.AssetCorrupt, match="sha256"):
        assets.fetch("poem")
    assert not (assets.cache_dir() / fake.relpath).exists()
    assert not list((assets.cache_dir() / "text").glob("*"))


def test_damaged_cached_copy_is_replaced(fresh_cache, offline, monkeypatch):
    payload = b"abc"
    fake = assets.Asset("abc", "https://example.invalid/abc", __import__("hashlib").sha256(payload).hexdigest(), 3, "x/abc")
    monkeypatch.setitem(assets.REGISTRY, "abc", fake)
    cached = assets.cache_dir() / "x/abc"
    cached.parent.mkdir(parents=True)
    cached.write_bytes(b"abd")
    monkeypatch.setenv(assets.MIRROR_ENV, str(make_mirror(fresh_cache, fake, payload)))
    assert assets.fetch("abc").read_bytes() == payload


def test_download_path_is_atomic_and_verified(fresh_cache, monkeypatch):
    payload = b"downloaded"
    fake = assets.Asset("dl", "https://example.invalid/dl", __import__("hashlib").sha256(payload).hexdigest(), len(payload), "d/dl")
    monkeypatch.setitem(assets.REGISTRY, "dl", fake)
    monkeypatch.setattr(assets, "_download", lambda url, tmp, timeout=30: Path(tmp).write_bytes(payload))
    assert assets.fetch("dl").read_bytes() == payload


@pytest.mark.skipif(not MIRROR.is_dir(), reason="the shared offline mirror is not beside this checkout")
def test_registry_matches_the_shared_manifest():
    rows = re.findall(r"^\| (\S+) \| (\d+) \| ([0-9a-f]{64}) \| (\S+)", (MIRROR / "MANIFEST.md").read_text(), re.M)
    assert len(rows) == 7
    by_path = {a.relpath: a for a in assets.REGISTRY.values()}
    for relpath, size, sha, url in rows:
        asset = by_path[relpath]
        assert (asset.size, asset.sha256, asset.url) == (int(size), sha, url)
        assert assets.sha256_of(MIRROR / relpath) == sha


def test_fetch_all_reports_every_failure_at_once(fresh_cache, offline, capsys):
    failed = assets.fetch_all()
    out = capsys.readouterr().out
    assert failed == list(assets.REGISTRY) and out.count("FAILED") == len(assets.REGISTRY)


def test_assets_list_names_every_registered_file(capsys):
    assert assets.main(["list"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == len(assets.REGISTRY)
    assert assets.main(["fetch"]) == 2
