"""Every lesson's instructor demos, used in JupyterLab in a real browser as a person would.

For each lesson notebook (a copy, on a JupyterLab server with default settings, kernels in smoke):

1. As stored, before anyone runs it: opening it does not mark it modified, and no output reads
   as a widget's repr line ("HBox(children=...") or as a progress bar frozen at "0%".
2. Run > Run All Cells: no cell fails.
3. Every demo, found by what it is (an output with controls: buttons, dropdowns, sliders,
   number boxes, upload buttons), scrolled to with the mouse wheel: each picture it shows is
   there and not blank; no label is cut off.
4. Each demo used: in a demo with buttons, the other controls are set and then each button
   pressed; in one without, each control on its own. After each press (or control), its
   visible output must change: a picture redrawn, a text rewritten (a Save button keeps the
   picture and must say what it saved). A demo with a text box and
   a button (a generator) must stream: the text grows in several visible steps and ends longer
   than the primer. Each upload button of a demo is given what its file chooser accepts (the
   `accept` of the <input type=file> it opens): a button for music (".mid") a small MIDI tune,
   any other a PNG. Either way a picture changes, and a good file is never refused: no red
   sentence (a demo may still show its captions and scores). The last upload button then
   takes a text file, and the demo says so in one sentence that names the file: "not an
   image" from an image demo, "not a music file" from a music demo.
5. Lesson by lesson (LESSON_CHECKS), what its demo is for: lesson 06's fog density and method
   redraw the wipe and its PSNR line, and density 0 says there is nothing to score against;
   lesson 08's Compose redraws the piano roll, says what it composed, and gives an audio
   player (<audio class="creative-audio"> with an OGG data src) that plays: muted, its
   duration is over a second and its time advances, with no media error. After Run All the
   notebook holds at least three such players.

Screenshots of each step go to CREATIVE_LIB_BROWSER_SHOTS (see conftest.py).
"""
import re
import time
from pathlib import Path

import pytest
from labdriver import (Notebook, choose, cut_labels, drag_slider, image_state, page_of, picture, pixels_spread,
                       same_picture)

ROOT = Path(__file__).resolve().parents[2]
LESSONS = sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))

CONTROLS = ("button.widget-button, button.widget-upload, .widget-dropdown select, .widget-slider, "
            ".widget-text input, .widget-textarea textarea")
# where a demo shows text: HTML and Label widgets, and what an Output widget holds
TEXTS = ".widget-html-content, .widget-label-basic, .widget-output .jp-OutputArea-output"
REPR_LINE = r"^[A-Z]\w*\((children|value|description|layout)="
FROZEN_BAR = r"(^|: )\s*0%\|"


# --------------------------------------------------------------------------------------------
# What a demo shows, and waiting for it to change
# --------------------------------------------------------------------------------------------

def signature(demo):
    """What the demo shows right now: its pictures' sources and sizes, and its texts."""
    return demo.evaluate(
        """(el, texts) => JSON.stringify({
            imgs: [...el.querySelectorAll('img')].map(i => [i.getAttribute('src'), i.naturalWidth, i.naturalHeight]),
            texts: [...el.querySelectorAll(texts)].map(h => h.innerText),
        })""", TEXTS)


def texts(demo):
    return demo.evaluate("(el, texts) => [...el.querySelectorAll(texts)].map(h => h.innerText)", TEXTS)


def refusals(demo):
    """The red sentences the demo shows (kit.refusal's colour, as the browser draws it)."""
    return demo.evaluate(
        """(el) => [...el.querySelectorAll('*')]
            .filter(e => { const [r, g, b] = getComputedStyle(e).color.match(/\\d+/g).map(Number);
                           return r > 150 && g < 90 && b < 90 && e.innerText.trim(); })
            .map(e => e.innerText.trim())""")


def wait_for_change(nb, demo, before, what, timeout_s=90):
    """Wait until the demo shows something other than `before`, then until the kernel is idle again."""
    deadline = time.monotonic() + timeout_s
    while signature(demo) == before:
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: the demo's visible output did not change within {timeout_s} s")
        time.sleep(0.2)
    nb.wait_kernel_idle(timeout_ms=timeout_s * 1000)
    settled = signature(demo)
    for _ in range(20):  # let the last messages land
        time.sleep(0.25)
        now = signature(demo)
        if now == settled:
            break
        settled = now


def wheel_to(page, target):
    """Scroll the notebook with the mouse wheel until `target` is in view, as a person does."""
    page.mouse.move(800, 450)
    for _ in range(300):
        box = target.evaluate("e => { const b = e.getBoundingClientRect(); return [b.top, b.bottom]; }")
        height = page.viewport_size["height"]
        if box[0] >= 90 and box[0] < height - 150 or (box[0] < 90 and box[1] > height - 150):
            return
        page.mouse.wheel(0, 250 if box[0] >= 90 else -250)
        time.sleep(0.03)
    target.scroll_into_view_if_needed()


def check_pictures(demo, what):
    """Every picture in the demo has loaded, and its on-screen shot is not blank. Returns the shots."""
    shots = []
    imgs = demo.locator("img")
    for i in range(imgs.count()):
        img = imgs.nth(i)
        wheel_to(page_of(demo), img)
        width, height, _ = image_state(img)
        assert width > 0 and height > 0, f"{what}: picture {i + 1} has not loaded (natural size {width}x{height})"
        shot = picture(img)
        assert pixels_spread(shot) > 3, f"{what}: picture {i + 1} shows as a blank area"
        shots.append(shot)
    return shots


# --------------------------------------------------------------------------------------------
# Using controls as a person does
# --------------------------------------------------------------------------------------------

def control_label(control):
    return control.evaluate(
        """(el) => { const w = el.closest('.widget-inline-hbox, .jupyter-widgets');
                     const l = w && w.querySelector('label.widget-label');
                     return (l && l.textContent.trim()) || el.textContent.trim() || el.tagName; }""")


def use_dropdown(select):
    options = select.evaluate("s => [...s.options].map(o => [o.textContent, o.selected])")
    choices = [text for text, selected in options if not selected and "upload" not in text.lower()]
    if not choices:
        return None
    select.select_option(label=choices[0])
    return choices[0]


def use_number(box):
    value = float(box.input_value() or 0)
    box.click()
    box.fill(f"{value + 1.5:g}")
    box.press("Enter")
    return box.input_value()


def use_control(demo, kind, control):
    """Change one control; returns a description of what was done."""
    label = control_label(control)
    if kind == "dropdown":
        return f"picked {use_dropdown(control)!r} in {label!r}"
    if kind == "slider":
        return f"dragged {label!r} to {drag_slider(demo, label, 0.75)}"
    if kind == "number":
        return f"typed {use_number(control)} into a number box"
    raise ValueError(kind)


def controls_of(demo):
    """(kind, locator) of each control other than buttons, in the order they are shown."""
    found = []
    for kind, selector in (("dropdown", ".widget-dropdown select"), ("slider", ".widget-slider"),
                           ("number", ".widget-text input[type=number]")):
        loc = demo.locator(selector)
        n = min(loc.count(), 1) if kind == "number" else loc.count()  # a 3x3 grid of boxes: one is enough
        found += [(kind, loc.nth(i)) for i in range(n)]
    return found


def stream_lengths(demo):
    """Start recording every length the demo's longest text takes (a MutationObserver)."""
    demo.evaluate(
        """(el, texts) => {
            window.__lengths = [];
            const longest = () => Math.max(0, ...[...el.querySelectorAll(texts)].map(h => h.innerText.length));
            window.__observer = new MutationObserver(() => {
                const n = longest();
                if (window.__lengths[window.__lengths.length - 1] !== n) window.__lengths.push(n);
            });
            window.__observer.observe(el, {subtree: true, childList: true, characterData: true});
        }""", TEXTS)


def recorded_lengths(page):
    return page.evaluate("() => { window.__observer.disconnect(); return window.__lengths; }")


MUSIC = (".mid", ".midi")  # an upload button whose chooser accepts these takes a MIDI tune
TUNE = (60, 62, 64, 65, 67, 65, 64, 62, 64, 67, 72, 71, 69, 67, 65, 64)  # 16 quarter notes, in C


def make_upload_files(folder):
    """What a person might upload: a colourful PNG, a short MIDI tune (one piano track, 120 bpm),
    and a text file that is neither. Returns {"image": png, "music": mid, "text": txt}."""
    import numpy as np
    import pretty_midi
    from PIL import Image

    y, x = np.mgrid[0:180, 0:240]
    rgb = np.stack([x * 255 // 240, y * 255 // 180, ((x // 30 + y // 30) % 2) * 255], axis=-1).astype(np.uint8)
    rgb[60:120, 90:150] = (255, 255, 255)
    png, mid, txt = folder / "my_photo.png", folder / "my_tune.mid", folder / "notes.txt"
    Image.fromarray(rgb).save(png)
    tune = pretty_midi.PrettyMIDI(initial_tempo=120)
    piano = pretty_midi.Instrument(program=0, name="piano")
    beat = 0.5  # a quarter note at 120 bpm
    piano.notes += [pretty_midi.Note(velocity=90, pitch=p, start=i * beat, end=(i + 0.9) * beat)
                    for i, p in enumerate(TUNE)]
    tune.instruments.append(piano)
    tune.write(str(mid))
    txt.write_text("Not an image at all, just a note.\n")
    return {"image": png, "music": mid, "text": txt}


def open_chooser(button):
    """Press an upload button as a person does; returns Playwright's FileChooser (its dialog, held open).

    ipywidgets' FileUpload keeps its <input type=file> out of the document (it creates it, never
    attaches it, and clicks it when the button is pressed), so the input's `accept` is read from
    the element the chooser was opened for, not found with a selector.
    """
    with page_of(button).expect_file_chooser() as chooser:
        button.click()
    return chooser.value


def accepted(chooser):
    """The file types the chooser's <input type=file> accepts, lower case: e.g. ['.mid', '.midi', ...]."""
    accept = chooser.element.evaluate("el => el.accept || el.getAttribute('accept') || ''")
    return [a.strip().lower() for a in accept.split(",") if a.strip()]


# --------------------------------------------------------------------------------------------
# The test
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", LESSONS)
def test_lesson_demos_work_in_jupyterlab(name, lab, context, shots_dir, tmp_path):
    stem = name.split("_")[0]
    page = lab.open(context, f"notebooks/{name}")
    try:
        check_lesson(name, stem, page, lab, shots_dir, tmp_path)
    finally:
        page.close()
        lab.shutdown_sessions()


def check_lesson(name, stem, page, lab, shots_dir, tmp_path):

    def shot(what, locator=None):
        (locator or page).screenshot(path=str(shots_dir / f"{stem}-{what}.png"))

    nb = Notebook(page)
    page.wait_for_timeout(1500)  # JupyterLab writes the kernel's metadata into the notebook on connecting
    dismiss_notifications(page)
    problems = []

    # 1. as stored, before anyone runs it
    if nb.is_dirty():
        problems.append("opening the stored notebook marks it modified (its kernelspec is not the kernel's own?)")
    stored = nb.panel.evaluate(  # textContent: innerText is empty in cells the browser skips while off screen
        "(panel) => [...panel.querySelectorAll('.jp-OutputArea-output')].map(o => o.textContent)")
    problems += [f"a stored output reads as repr text: {t[:60]!r}" for t in stored if re.match(REPR_LINE, t.strip())]
    problems += [f"a stored progress bar is frozen at 0%: {t[:60]!r}" for t in stored if re.search(FROZEN_BAR, t)]
    shot("0-opened")

    # 2. Run All, in smoke
    seconds = nb.run_all()
    errors = nb.errors()
    shot("1-ran")
    assert not errors, f"Run All failed after {seconds:.0f} s:\n" + "\n".join(errors)[-3000:]

    # 3. the demos, found by what they are
    demos = find_demos(nb)
    assert demos, f"{name} shows no demo (an output with buttons, dropdowns, sliders or an upload button)"
    upload_files = make_upload_files(tmp_path)
    for k, demo in enumerate(demos, start=1):
        what = f"{stem} demo {k} ({', '.join(describe(demo))})"
        dismiss_notifications(page)
        wheel_to(page, demo)
        shown = check_pictures(demo, f"{what}, after Run All")
        assert shown or any(t.strip() for t in texts(demo)), f"{what} shows neither a picture nor a text after Run All"
        shot(f"2-demo{k}-after-run-all", demo)
        cut = cut_labels(demo)
        if cut:
            problems.append(f"{what}: labels cut off: {cut}")
        problems += use_demo(nb, demo, what, lambda step: shot(f"3-demo{k}-{step}", demo), upload_files)

    # 5. what this lesson's demo is for
    if stem in LESSON_CHECKS:
        problems += LESSON_CHECKS[stem](nb, lambda step: shot(f"4-{step}"))

    assert not problems, "\n".join(problems)


def dismiss_notifications(page):
    """Close JupyterLab's start-up notifications (the news question), as a person would."""
    for button in page.locator(".jp-Notification-Toast-Close, .Toastify__close-button").all():
        try:
            button.click(timeout=2000)
        except Exception:  # noqa: BLE001 - already gone
            pass


def find_demos(nb):
    """The outputs that hold controls (not an output nested in another), each marked for locating."""
    count = nb.panel.evaluate(
        """(panel, controls) => {
            const outs = [...panel.querySelectorAll('.jp-OutputArea-output')]
                .filter(o => !o.parentElement.closest('.jp-OutputArea-output') && o.querySelector(controls));
            outs.forEach((o, i) => o.setAttribute('data-browser-test-demo', String(i + 1)));
            return outs.length;
        }""", CONTROLS)
    return [nb.panel.locator(f'[data-browser-test-demo="{i}"]') for i in range(1, count + 1)]


def describe(demo):
    return demo.evaluate(
        """(el) => [...el.querySelectorAll('label.widget-label, button')]
            .map(l => l.textContent.trim()).filter(Boolean).slice(0, 6)""")


def use_demo(nb, demo, what, shot, upload_files):
    """Use every control of a demo; returns the problems seen (a failure to change raises)."""
    page = page_of(demo)
    problems = []
    buttons = demo.locator("button.widget-button")
    generator = demo.locator(".widget-textarea textarea").count() > 0 and buttons.count() > 0
    for step, (kind, control) in enumerate(controls_of(demo), start=1):
        wheel_to(page, control)
        before, pictures = signature(demo), [picture(i) for i in demo.locator("img").all()]
        done = use_control(demo, kind, control)
        if done is None or "None" in done:
            continue
        if buttons.count() == 0:  # a live demo: each control redraws on its own
            wait_for_change(nb, demo, before, f"{what}: {done}")
            after = check_pictures(demo, f"{what}, {done}")
            if pictures and after and all(same_picture(a, b) for a, b in zip(pictures, after)):
                problems.append(f"{what}: {done}, but the picture looks the same")
            shot(f"{step}-{kind}")
    for b in range(buttons.count()):
        button = buttons.nth(b)
        label = button.inner_text().strip()
        wheel_to(page, button)
        before, pictures = signature(demo), [picture(i) for i in demo.locator("img").all()]
        primer = demo.locator(".widget-textarea textarea").first.input_value() if generator else None
        if generator:
            stream_lengths(demo)
        button.click()
        wait_for_change(nb, demo, before, f"{what}: pressed {label!r}", timeout_s=120)
        after = check_pictures(demo, f"{what}, after pressing {label!r}")
        if label.lower() == "save":  # saving keeps the picture and says where it went
            said = " ".join(texts(demo))
            if "Saved" not in said:
                problems.append(f"{what}: pressed 'Save', but it does not say what it saved: {said[:120]!r}")
        elif pictures and after and all(same_picture(a, b) for a, b in zip(pictures, after)):
            problems.append(f"{what}: pressed {label!r}, but the picture looks the same")
        if generator:
            lengths = recorded_lengths(page)
            text = max(texts(demo), key=len)
            if not (text.startswith(primer.strip()) and len(text) > len(primer) + 20):
                problems.append(f"{what}: after {label!r} the text is not the primer plus new text: {text[:80]!r}")
            if len(set(lengths)) < 4:
                problems.append(f"{what}: the text did not stream (lengths seen: {lengths[:10]})")
        slug = re.sub(r"\W+", "-", label.lower()).strip("-") or str(b)
        shot(f"button-{slug}")
    if demo.locator("button.widget-upload").count():
        problems += use_upload(nb, demo, what, shot, upload_files)
    return problems


def use_upload(nb, demo, what, shot, files):
    """Each upload button takes what its chooser accepts: a MIDI tune if music, else the PNG (a picture
    changes, nothing is refused); the last one then the text file, which the demo refuses in words."""
    problems = []
    page = page_of(demo)
    buttons = demo.locator("button.widget-upload")
    for i in range(buttons.count()):
        button, which = buttons.nth(i), f"{what}, upload button {i + 1}"
        wheel_to(page, button)
        before, pictures = signature(demo), [picture(im) for im in demo.locator("img").all()]
        chooser = open_chooser(button)
        music = any(kind in MUSIC for kind in accepted(chooser))
        good, kind = (files["music"], "MIDI tune") if music else (files["image"], "PNG")
        chooser.set_files(str(good))
        wait_for_change(nb, demo, before, f"{which}: uploaded {good.name}")
        after = check_pictures(demo, f"{which}, after uploading {good.name}")
        if pictures and after and all(same_picture(a, b) for a, b in zip(pictures, after)):
            problems.append(f"{which}: uploaded {good.name}, but the picture looks the same")
        refused = refusals(demo)
        if refused:
            problems.append(f"{which}: uploading a good {kind} is refused: {' '.join(refused)[:120]!r}")
        shot(f"upload-{'midi' if music else 'png'}-{i + 1}")
    txt, expected = files["text"], "not a music file" if music else "not an image"
    before = signature(demo)
    open_chooser(button).set_files(str(txt))
    wait_for_change(nb, demo, before, f"{which}: uploaded {txt.name}")
    said = " ".join(texts(demo)).strip()
    if expected not in said or txt.name not in said or "bytes is" in said:
        problems.append(f"{which}: uploading a text file says {said[:160]!r}; expected one sentence naming "
                        f"{txt.name} and that it is {expected}")
    check_pictures(demo, f"{which}, after uploading {txt.name}")  # the last picture stays
    shot("upload-text")
    return problems


# --------------------------------------------------------------------------------------------
# Lesson by lesson: what each demo is for
# --------------------------------------------------------------------------------------------

def check_defog_demo(nb, shot):
    """Lesson 06: the fog density and the method redraw the wipe and the scores; density 0 scores nothing."""
    page = nb.page
    demo = nb.output_with(page.locator("label.widget-label", has_text=re.compile(r"^\s*fog density\s*$")))
    wheel_to(page, demo)
    problems = []

    def step(what, act):
        before, pictures = signature(demo), [picture(i) for i in demo.locator("img").all()]
        act()
        wait_for_change(nb, demo, before, f"lesson 06's demo: {what}")
        after = check_pictures(demo, f"lesson 06's demo, after {what}")
        if all(same_picture(a, b) for a, b in zip(pictures, after)):
            problems.append(f"lesson 06's demo: {what}, but the picture looks the same")
        said = " ".join(texts(demo))
        shot(re.sub(r"\W+", "-", what).strip("-"))
        return said

    options = demo.locator(".widget-dropdown select").nth(1).evaluate("s => [...s.options].map(o => o.textContent)")
    step("picked china", lambda: choose(demo, "photo", "china"))  # the upload before left a refusal
    said = step("dragged the fog density to 0.5", lambda: drag_slider(demo, "fog density", 0.25))
    method = demo.locator(".widget-dropdown select").nth(1).evaluate("s => s.options[s.selectedIndex].textContent")
    if not re.search(rf"foggy \d+\.\d dB · {re.escape(method)} \d+\.\d dB", said):
        problems.append(f"lesson 06's demo at density 0.5 with {method!r} does not score both: {said[:160]!r}")
    other = next(o for o in options if o != method)
    said = step(f"picked the method {other!r}", lambda: choose(demo, "method", other))
    if f"· {other} " not in said:
        problems.append(f"lesson 06's demo: picked {other!r}, but the scores do not name it: {said[:160]!r}")
    before = signature(demo)
    drag_slider(demo, "fog density", 0.0)
    wait_for_change(nb, demo, before, "lesson 06's demo: dragged the fog density to 0")
    said = " ".join(texts(demo))
    if "no clear original" not in said or " dB" in said:
        problems.append(f"lesson 06's demo at density 0 should say there is no clear original: {said[:160]!r}")
    shot("density-0")
    return problems


OGG_SRC = "data:audio/ogg;base64,"
COMPOSED = r"composed \d+ bars? in \d+\.\d s"  # lesson 08's message after Compose


def check_compose_demo(nb, shot):
    """Lesson 08: Compose redraws the roll, says what it composed, and gives a player that plays;
    the notebook, run, holds at least three players."""
    page = nb.page
    demo = nb.output_with(page.locator("button.widget-button", has_text=re.compile(r"^\s*Compose\s*$")))
    wheel_to(page, demo)
    problems = []
    before, pictures = signature(demo), [picture(i) for i in demo.locator("img").all()]
    demo.locator("button.widget-button", has_text=re.compile(r"^\s*Compose\s*$")).click()
    wait_for_change(nb, demo, before, "lesson 08's demo: pressed 'Compose'", timeout_s=120)
    after = check_pictures(demo, "lesson 08's demo, after pressing 'Compose'")
    if pictures and after and all(same_picture(a, b) for a, b in zip(pictures, after)):
        problems.append("lesson 08's demo: pressed 'Compose', but the piano roll looks the same")
    said = " ".join(texts(demo))
    if not re.search(COMPOSED, said):
        problems.append(f"lesson 08's demo: after 'Compose' it does not say what it composed: {said[:160]!r}")
    refused = refusals(demo)
    if refused:
        problems.append(f"lesson 08's demo: 'Compose' is refused: {' '.join(refused)[:160]!r}")

    # a player that plays
    players = demo.locator("audio.creative-audio")
    if players.count() != 1:
        problems.append(f"lesson 08's demo shows {players.count()} audio players after 'Compose', not one")
    else:
        player = players.first
        wheel_to(page, player)
        src = player.get_attribute("src") or ""
        if not src.startswith(OGG_SRC):
            problems.append(f"lesson 08's demo: the player's src is not an OGG data URL: {src[:60]!r}")
        played = player.evaluate(
            """async (el) => {
                el.muted = true;
                let refused = null;
                try { await el.play(); } catch (err) { refused = String(err); }
                await new Promise(r => setTimeout(r, 800));
                const out = [el.duration, el.currentTime, el.error ? el.error.code : null, refused];
                el.pause();
                return out;
            }""")
        duration, current, error, refused = played
        if refused or error or not (duration and duration > 1) or not current > 0.2:
            problems.append(f"lesson 08's demo: the player does not play (muted): duration {duration} s, "
                            f"time after 0.8 s {current} s, media error {error}, play() {refused or 'started'}")
        shot("compose-played")

    # the notebook, run, plays its melodies too
    found = nb.panel.evaluate(
        """(panel, ogg) => [...panel.querySelectorAll('audio.creative-audio')]
            .map(a => (a.getAttribute('src') || '').startsWith(ogg))""", OGG_SRC)
    if sum(found) < 3:
        problems.append(f"lesson 08's notebook, run, holds {sum(found)} audio players with an OGG data src "
                        f"(of {len(found)} audio.creative-audio elements); expected at least 3")
    return problems


LESSON_CHECKS = {"06": check_defog_demo, "08": check_compose_demo}
