"""The TensorFlow DeepDream tutorial's ascent, rewritten from its description, to race lesson 03 against.

The tutorial (tensorflow.org/tutorials/generative/deepdream) dreams with InceptionV3's mixed3 and
mixed5 on a photo shrunk to at most 500 pixels. Its loss is the sum over the layers of their mean
activation. Its ascent loop runs in one `tf.function` whose signature leaves the image size open
([None, None, 3]); each step takes the gradient of the loss with respect to the image *in the
network's input space* ([-1, 1] for Inception), divides it by its standard deviation, adds it
times the step size and clips. Its simple recipe takes 100 steps of 0.01.

    ascend = tutorial_ascent(backbone)       # (x (H, W, 3) in the network's space, steps, step size) -> (loss, x)
    step = tutorial_step_size(backbone)      # the tutorial's 0.01 in [-1, 1], in this network's units
"""
import numpy as np
import tensorflow as tf

TUTORIAL_LAYERS = ("mixed3", "mixed5")
TUTORIAL_STEPS = 100
TUTORIAL_STEP = 0.01  # in Inception's [-1, 1] input space: half a percent of the pixel range


def tutorial_step_size(backbone):
    """The tutorial's step in backbone's input units: the same share of the pixel range as 0.01 of [-1, 1]."""
    pixel_range = float(np.mean(backbone.preprocess(np.ones((1, 1, 3))) - backbone.preprocess(np.zeros((1, 1, 3)))))
    return TUTORIAL_STEP / 2.0 * abs(pixel_range)


def tutorial_ascent(backbone):
    """The tutorial's ascent loop for a Backbone: (x (H, W, 3) preprocessed, steps, step_size) -> (loss, x)."""
    model = backbone.model
    low = backbone.preprocess(np.zeros((1, 1, 3), np.float32)).min()
    high = backbone.preprocess(np.ones((1, 1, 3), np.float32)).max()

    @tf.function(input_signature=(tf.TensorSpec([None, None, 3], tf.float32), tf.TensorSpec([], tf.int32),
                                  tf.TensorSpec([], tf.float32)))
    def ascend(x, steps, step_size):
        loss = tf.constant(0.0)
        for _ in tf.range(steps):
            with tf.GradientTape() as tape:
                tape.watch(x)
                activations = model(x[None])
                loss = tf.reduce_sum([tf.reduce_mean(a) for a in activations.values()])
            grad = tape.gradient(loss, x)
            grad /= tf.math.reduce_std(grad) + 1e-8
            x = tf.clip_by_value(x + grad * step_size, low, high)
        return loss, x

    return ascend
