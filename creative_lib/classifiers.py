"""Classifiers with their class scores before the softmax (logits), for lesson 03's class visualisation and attacks.

    clf = load_classifier("shapes")               # lesson 02's CNN, 6 classes, no download
    logits = clf.model(clf.preprocess(images))    # (B, classes); images (B, H, W, 3) RGB in [0, 1]

"inception_v3" is ImageNet's classifier (1000 classes, 299x299 input): a download, or
weights="random" for the same architecture untrained (the tests run its code path with it).
A backbone is offered here when its spec says `classifier=True`.
"""
from creative_lib.backbones import BACKBONES, Backbone, build_network

CLASSIFIERS = tuple(name for name, spec in BACKBONES.items() if spec.classifier)


def logits_model(classifier):
    """classifier: a keras.Model ending in a softmax Dense layer -> the same network up to the logits.

    (B, H, W, 3) -> (B, classes): the scores before the softmax, which gradient ascent and attacks use.
    """
    import keras

    head = classifier.layers[-1]
    if not isinstance(head, keras.layers.Dense):
        raise ValueError(f"{classifier.name} does not end in a Dense layer, so it has no logits to read.")
    logits = keras.layers.Dense(head.units, name="logits")
    model = keras.Model(classifier.input, logits(head.input), name=f"{classifier.name}_logits")
    logits.set_weights(head.get_weights())
    model.trainable = False
    return model


def load_classifier(name="shapes", weights="pretrained"):
    """A Backbone whose model maps preprocessed images to class logits (B, classes), layers ("logits",).

    "shapes": lesson 02's CNN, 6 classes, any image size. "inception_v3": ImageNet's 1000
    classes, 299x299 input, a download (WeightsUnavailable when it cannot be had; no fallback).
    """
    if name not in CLASSIFIERS:
        raise ValueError(f"No classifier named {name!r}; choose one of {', '.join(CLASSIFIERS)}.")
    spec = BACKBONES[name]
    base = build_network(spec, weights, head=True)
    return Backbone(name, logits_model(base), ("logits",), spec, base)
