"""The demos' shared kit: one look for their controls, picture bytes, a refusal line, an image picker, a wipe.

    w.IntSlider(description="steps", style=STYLE, layout=WIDE)   # every demo's labels and widths
    view.value = jpeg(photo)                                     # an ipywidgets Image's bytes (png() for drawings)
    message.value = refusal(err)                                 # one red sentence

    class MyDemo(ImageChooser):                                  # a dropdown of pictures with an upload button
        def __init__(self, images):
            self.choose_images(images, max_side=384, min_side=16)   # self.picker, self.upload
        def redraw(self):                                            # called when the choice changes
            image = self.image()                                     # float32 (H, W, 3); a bad upload raises ValueError

    compare = BeforeAfter(labels=("foggy", "defogged"))         # one picture wiped over the other by a slider
    compare.set(before, after); display(compare.ui)              # float (H, W, 3) in [0, 1], of one size
"""
import html
import io

import ipywidgets as w
import numpy as np
from PIL import Image

from creative_lib.images import load_image

STYLE = {"description_width": "150px"}  # the demos' controls: labels this wide are never cut
WIDE = w.Layout(width="470px")


def jpeg(image, quality=90):
    """(H, W, 3) float in [0, 1] -> JPEG bytes (a photograph: much smaller than a PNG)."""
    buffer = io.BytesIO()
    Image.fromarray((np.clip(image, 0, 1) * 255).round().astype(np.uint8)).save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()


def png(picture):
    """A uint8 picture (H, W) or (H, W, 3) -> PNG bytes (sharp edges: drawings, digits, enlarged pixels)."""
    buffer = io.BytesIO()
    Image.fromarray(picture).save(buffer, format="PNG")
    return buffer.getvalue()


def refusal(reason):
    """A one-sentence refusal (a bad upload, an impossible setting) as red HTML for a demo's message widget."""
    return f"<b style='color:#c00'>{html.escape(str(reason))}</b>"


class ImageChooser:
    """Mixin: self.picker (named images and an upload entry), self.upload, self.image(); subclasses define redraw()."""

    UPLOAD = "my own image (upload)"

    def choose_images(self, images, max_side, min_side, **dropdown):
        self.images, self.max_side, self.min_side = dict(images), max_side, min_side
        self.picker = w.Dropdown(options=list(self.images) + [self.UPLOAD], **{"description": "image", **dropdown})
        self.upload = w.FileUpload(accept="image/*", multiple=False, description="upload")
        self.picker.observe(lambda _: self.redraw(), names="value")
        self.upload.observe(self._uploaded, names="value")

    def _uploaded(self, change):
        files = change["new"]
        if files:
            self.images[self.UPLOAD] = bytes(files[0]["content"])
            self.upload_name = files[0].get("name") or "the uploaded file"
            if self.picker.value == self.UPLOAD:
                self.redraw()
            else:
                self.picker.value = self.UPLOAD  # which redraws

    def image(self, key=None):
        """The picked image as float32 (H, W, 3); a user's upload goes through load_image (ValueError if refused)."""
        key = key or self.picker.value
        if key not in self.images:
            raise ValueError("No image uploaded yet: use the upload button first.")
        name = getattr(self, "upload_name", None) if key == self.UPLOAD else key
        return load_image(self.images[key], max_side=self.max_side, min_side=self.min_side, upload_name=name)


class BeforeAfter:
    """One picture wiped over another: left of a thin white line `before`, right of it `after`.

    .ui: the picture, a "wipe" slider (0: all `after`, 1: all `before`) and a caption naming the two sides.
    """

    def __init__(self, width=480, labels=("before", "after")):
        layout = w.Layout(width=f"{width}px")
        self.view = w.Image(format="jpeg", layout=layout)
        self.wipe = w.FloatSlider(value=0.5, min=0, max=1, step=0.01, description="wipe", style=STYLE, layout=layout)
        before, after = (html.escape(label) for label in labels)
        self.caption = w.HTML(f"left of the line: <b>{before}</b> &nbsp;·&nbsp; right of it: <b>{after}</b>")
        self.ui = w.VBox([self.view, self.wipe, self.caption])
        self.pair = None
        self.wipe.observe(lambda _: self.redraw(), names="value")

    def set(self, before, after):
        """Show two float (H, W, 3) images in [0, 1] of one size (ValueError otherwise)."""
        before, after = np.asarray(before, np.float32), np.asarray(after, np.float32)
        if before.shape != after.shape or before.ndim != 3 or before.shape[-1] != 3:
            raise ValueError(f"BeforeAfter shows two (H, W, 3) images of one size, not {before.shape} and "
                             f"{after.shape}.")
        self.pair = before, after
        self.redraw()

    def redraw(self):
        """Show `before` left of the slider's position and `after` right of it (nothing until set is called)."""
        if self.pair is None:
            return
        before, after = self.pair
        edge = round(self.wipe.value * before.shape[1])
        picture = after.copy()
        picture[:, :edge] = before[:, :edge]
        if 0 < edge < picture.shape[1]:
            picture[:, edge - 1:edge + 1] = 1.0  # the line: two white columns at the boundary
        self.view.value = jpeg(picture)
