"""Races of the lessons' recipes against the TensorFlow tutorials', out of the lessons: `make bench`.

One script a race (race_dream, race_style, race_gan, race_cyclegan, race_charrnn, race_melody), the tutorials' recipes rebuilt
from their descriptions (reference_*), one timing helper (racing) and the table (results).
"""
import creative_lib

creative_lib.import_tensorflow_quietly()  # before any race imports TensorFlow: no C++ start-up lines

from creative_lib.session import quiet_tensorflow  # noqa: E402  (it imports TensorFlow)

quiet_tensorflow()
