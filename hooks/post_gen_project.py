"""Wire the chosen demo type into the generated project.

Every demo shares the service under src/; what differs per demo lives in _demos/<demo>/,
laid out exactly as in the final project. The table below says which overlay each demo
takes; the chosen one is copied into place and every overlay is removed, so nothing of
another demo remains.
"""

import shutil
from pathlib import Path

DEMO_TYPE = {{ cookiecutter.demo_type|tojson }}

# demo type -> overlay folders (under _demos/) copied over the project root, in order;
# "text" holds what the molecule and qa demos share: the search by one text field; "media"
# what the image and video demos share: the image encoder and the file store.
DEMO_OVERLAYS = {
    "molecule": ("text", "molecule"),
    "qa": ("text", "qa"),
    "image": ("media", "image"),
    "video": ("media", "video"),
}


def wire_demo(project: Path, demo: str) -> None:
    overlays = project / "_demos"
    for overlay in DEMO_OVERLAYS[demo]:
        chosen = overlays / overlay
        for source in sorted(p for p in chosen.rglob("*") if p.is_file()):
            target = project / source.relative_to(chosen)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(str(source), target)
    shutil.rmtree(overlays)


if __name__ == "__main__":
    wire_demo(Path.cwd(), DEMO_TYPE)
