"""Lesson 07's demo: the char-RNN writes a scene while you watch.

    writer = SceneWriter(gen, primer="ROMEO:\\n", temperature=0.8, top_k=20)
    display(writer.ui)                      # type a primer, move the sliders, press Write
    text = writer.write("KING LEAR:\\n", 300, 0.7, 10)   # what the button does

The text streams into an HTML widget whose value is replaced piece by piece: JupyterLab shows
every change of a widget's value, where it can drop display updates sent into an Output widget.
"""
import html

import ipywidgets as widgets

from creative_lib.demos.kit import STYLE, WIDE


class SceneWriter:
    """Primer, temperature, top-k and length controls, a Write button, and the streamed text."""

    def __init__(self, generator, primer="ROMEO:\n", temperature=0.8, top_k=20, length=400, chunk=25):
        self.gen, self.chunk = generator, chunk
        self.primer = widgets.Textarea(value=primer, description="primer", style=STYLE, layout=WIDE)
        self.temperature = widgets.FloatSlider(value=temperature, min=0.1, max=2.0, step=0.05,
                                               description="temperature", style=STYLE, layout=WIDE)
        self.top_k = widgets.IntSlider(value=top_k, min=0, max=generator.vocab.size, description="top-k (0 = all)",
                                       style=STYLE, layout=WIDE)
        self.length = widgets.IntSlider(value=length, min=50, max=2000, step=50, description="length",
                                        style=STYLE, layout=WIDE)
        self.button = widgets.Button(description="Write", button_style="primary", icon="pencil")
        self.text = widgets.HTML()
        self.button.on_click(lambda _: self.write())
        self.ui = widgets.VBox([self.primer, self.temperature, self.top_k, self.length, self.button, self.text])

    def show(self, written):
        self.text.value = ("<pre style='white-space: pre-wrap; font-size: 13px; line-height: 1.35'>"
                           f"{html.escape(written)}</pre>")

    def write(self, primer=None, length=None, temperature=None, top_k=None):
        """Generate after the primer, showing the text as it grows; returns primer + generated text.

        Arguments left out are read from the controls; those given are also set on them.
        """
        for control, value in ((self.primer, primer), (self.length, length), (self.temperature, temperature),
                               (self.top_k, top_k)):
            if value is not None:
                control.value = value
        written = self.primer.value
        self.show(written)
        self.button.disabled = True
        try:
            for piece in self.gen.stream(self.primer.value, self.length.value, self.temperature.value,
                                         self.top_k.value, chunk=self.chunk):
                written += piece
                self.show(written)
        finally:
            self.button.disabled = False
        return written
