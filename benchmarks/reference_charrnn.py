"""The TensorFlow text-generation tutorial's model and recipe, rebuilt from its description, to race lesson 07 against.

The tutorial ("Text generation with an RNN", tensorflow.org/text/tutorials/text_generation) trains
on tiny-shakespeare, cut into windows of 100 characters (plus one for the target), shuffled, in
batches of 64. Its model: an Embedding of 256 dimensions, a GRU of 1024 units returning every
step and its state, and a Dense layer to one logit per character; sparse categorical
cross-entropy on the logits; Adam with Keras's defaults (learning rate 1e-3), no clipping.

    model = tutorial_model(vocab_size)    # int ids (64, 100) -> logits (64, 100, V), compiled
"""
import keras
from keras import layers

TUTORIAL_SEQ = 100
TUTORIAL_BATCH = 64


def tutorial_model(vocab_size):
    """ids (B, T) -> logits (B, T, V), compiled, its optimizer built; layers named as charrnn's, for bits_per_char."""
    ids = keras.Input((None,), dtype="int32")
    steps, _ = layers.GRU(1024, return_sequences=True, return_state=True, name="gru")(
        layers.Embedding(vocab_size, 256, name="embedding")(ids))
    model = keras.Model(ids, layers.Dense(vocab_size, name="logits")(steps), name="tutorial_char_gru")
    model.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    model.optimizer.build(model.trainable_variables)
    return model
