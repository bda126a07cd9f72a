"""The TensorFlow tutorial's style-transfer objective and recipe, rewritten from its description, to race lesson 04 against.

The tutorial (tensorflow.org/tutorials/generative/style_transfer) takes content from
block5_conv2 and style from block1_conv1 ... block5_conv1 of VGG19. Its Gram matrix is averaged
over positions; its style loss is the mean squared Gram difference averaged over the style layers,
times 1e-2; its content loss the mean squared feature difference times 1e4; and it adds 30 times
`tf.image.total_variation` (the sum of absolute neighbour differences). It starts from the content
image and takes Adam steps (learning rate 0.02, beta_1 0.99, epsilon 0.1), clipping to [0, 1].

    loss = tutorial_loss(backbone, content, style)   # images (B, H, W, 3) -> {"total", "content", "style", "tv"}, each (B,)
"""
import tensorflow as tf

from creative_lib.style import gram_matrix

TUTORIAL_CONTENT = ("block5_conv2",)
TUTORIAL_STYLE = ("block1_conv1", "block2_conv1", "block3_conv1", "block4_conv1", "block5_conv1")
TUTORIAL_WEIGHTS = dict(style=1e-2, content=1e4, tv=30.0)
TUTORIAL_ADAM = dict(learning_rate=0.02, beta_1=0.99, epsilon=0.1, cosine=False)  # as style.adam's arguments


def tutorial_loss(backbone, content, style):
    """The tutorial's objective on a VGG Backbone (any layers: it selects its own), as style.make_loss's interface."""
    net = backbone.select(TUTORIAL_STYLE + TUTORIAL_CONTENT)
    style_targets = {name: gram_matrix(f) for name, f in net.features(style).items() if name in TUTORIAL_STYLE}
    content_targets = {name: f for name, f in net.features(content).items() if name in TUTORIAL_CONTENT}
    w = TUTORIAL_WEIGHTS

    @tf.function
    def loss(images):
        features = net.features(images)
        mean_square = lambda a, b: tf.reduce_mean(tf.square(a - b), axis=list(range(1, len(a.shape))))
        style_part = tf.add_n([mean_square(gram_matrix(features[n]), style_targets[n]) for n in TUTORIAL_STYLE])
        content_part = tf.add_n([mean_square(features[n], content_targets[n]) for n in TUTORIAL_CONTENT])
        parts = {"style": style_part * w["style"] / len(TUTORIAL_STYLE),
                 "content": content_part * w["content"] / len(TUTORIAL_CONTENT),
                 "tv": w["tv"] * tf.image.total_variation(images)}
        parts["total"] = parts["style"] + parts["content"] + parts["tv"]
        return parts

    return loss
