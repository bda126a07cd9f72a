"""Writing a file so that a reader never sees half of it: the course's one atomic write.

    write_atomically(path, lambda tmp: picture.save(tmp))   # a download, a picture, metrics.json
"""
import os
import tempfile
from pathlib import Path


def write_atomically(target, write_to):
    """Call write_to(tmp_path) on a temporary file beside `target`, then move it into place.

    If write_to raises, `target` is left as it was and the temporary file is removed.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    os.close(fd)
    try:
        write_to(tmp)
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    return target
