"""Wire the chosen demo type into the generated project.

Every demo shares the service under src/; what differs per demo lives in overlays under
_demos/, laid out exactly as in the final project. cookiecutter.json's `_overlays` table says
which overlays each demo takes; those are copied into place and every overlay is removed, so
nothing of another demo remains.
"""

import shutil
from pathlib import Path

# The overlay folders (under _demos/) copied over the project root, in order: "files" is the
# store of loaded files, "image_encoder" the image encoder and the search by picture, "text"
# the search by one text field, then the demo's own.
OVERLAYS = {{ cookiecutter._overlays[cookiecutter.demo_type]|tojson }}


def wire_demo(project: Path, overlays: list[str]) -> None:
    demos = project / "_demos"
    for overlay in overlays:
        chosen = demos / overlay
        for source in sorted(p for p in chosen.rglob("*") if p.is_file()):
            target = project / source.relative_to(chosen)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(str(source), target)
    shutil.rmtree(demos)


if __name__ == "__main__":
    wire_demo(Path.cwd(), OVERLAYS)
