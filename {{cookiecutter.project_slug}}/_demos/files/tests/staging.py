"""Records as the load tasks carry them, for the tests of a demo whose items keep files."""

from {{ cookiecutter.package_name }}.config import Settings
from {{ cookiecutter.package_name }}.records import Record, item_files
from {{ cookiecutter.package_name }}.uploads import ParsedUpload


def as_tasks_carry_them(parsed: ParsedUpload[Record], settings: Settings) -> list[Record]:
    """The records a worker rebuilds from the load tasks: their files staged in the media
    store, as a load stages them."""
    files = item_files(settings)
    return [
        Record.from_task(files.stage(record.model_dump(), parsed.files.get(position)), settings)
        for position, record in parsed.records
    ]
