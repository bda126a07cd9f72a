"""The TensorFlow tutorial's DeepDream step, rewritten from its description, to time lesson 03 against it.

The tutorial (tensorflow.org/tutorials/generative/deepdream) runs its ascent loop in one
`tf.function` whose signature leaves the image size open ([None, None, 3]); each step takes the
gradient of the summed mean activations with respect to the image *in the network's input
space*, divides it by its standard deviation, adds it times the step size and clips. Its octave
loop resizes the dream from octave to octave without adding back the detail that shrinking lost.

    step = tutorial_ascent(backbone)            # (image in network space (H, W, 3), steps, step size) -> (loss, image)
    seconds = seconds_per_step({"lesson": run_a, "tutorial": run_b}, steps=5)   # {name: median s/step}
"""
import time

import numpy as np
import tensorflow as tf


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


def seconds_per_step(runners, steps, repeats=3):
    """{name: median seconds per step}: each runners[name](steps) is timed `repeats` times, interleaved.

    Each runner is first called with 1 step, to trace and warm up. Interleaving gives every
    runner the same share of whatever else the machine is doing.
    """
    for run in runners.values():
        run(1)
    times = {name: [] for name in runners}
    for _ in range(repeats):
        for name, run in runners.items():
            began = time.perf_counter()
            run(steps)
            times[name].append((time.perf_counter() - began) / steps)
    return {name: float(np.median(t)) for name, t in times.items()}
