import io

import pytest
from PIL import Image

from {{ cookiecutter.package_name }}.config import Settings
from {{ cookiecutter.package_name }}.records import parse_files
from {{ cookiecutter.package_name }}.uploads import InvalidItemError, InvalidUploadError, SourceFile
from staging import as_tasks_carry_them

from examples import PHOTO, TRUNCATED


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "teal").save(out, format="PNG")
    return out.getvalue()


def test_the_type_comes_from_the_content_not_the_name(settings: Settings) -> None:
    parsed = parse_files([SourceFile("really-a-png.jpg", data=png_bytes())], settings)
    [(_, record)] = parsed.records
    assert (record.media_type, record.width, record.height) == ("image/png", 40, 30)


def test_bad_files_are_reported_by_name_and_the_rest_kept(settings: Settings) -> None:
    files = [
        SourceFile("empty.jpg", data=b""),
        SourceFile("photo.jpg", data=PHOTO),
        SourceFile("notes.jpg", data=b"hello"),
    ]
    parsed = parse_files(files, settings)
    assert [(error.item, error.reason) for error in parsed.errors] == [
        ("empty.jpg", "empty file"),
        ("notes.jpg", "not an image Pillow can read"),
    ]
    assert [position for position, _ in parsed.records] == [2]
    assert parsed.label(2) == "photo.jpg"


def test_an_upload_without_any_picture_is_refused(settings: Settings) -> None:
    with pytest.raises(InvalidUploadError, match="no image could be read"):
        parse_files([SourceFile("a.txt", data=b"text")], settings)


def test_a_truncated_jpeg_fails_when_decoded(settings: Settings) -> None:
    parsed = parse_files([SourceFile("cut.jpg", data=TRUNCATED)], settings)
    [record] = as_tasks_carry_them(parsed, settings)
    with pytest.raises(InvalidItemError, match="truncated or corrupt"):
        record.encoder_inputs()


def test_a_good_file_is_stored_once_under_its_hash(settings: Settings) -> None:
    files = [SourceFile("a.jpg", data=PHOTO), SourceFile("copy.jpg", data=PHOTO)]
    records = as_tasks_carry_them(parse_files(files, settings), settings)
    for record in records:
        [image] = record.encoder_inputs()
        assert isinstance(image, Image.Image)
    assert records[0].file == records[1].file
    assert [p.name for p in settings.media_root.rglob("*") if p.is_file()] == [records[0].file]


def test_a_picture_too_large_to_decode_is_refused_from_its_header(settings: Settings) -> None:
    out = io.BytesIO()
    Image.new("1", (9400, 9400)).save(out, "PNG")  # 100 KB on disk, 265 MB decoded
    files = [SourceFile("bomb.png", data=out.getvalue()), SourceFile("ok.jpg", data=PHOTO)]
    parsed = parse_files(files, settings)
    assert [(error.item, error.reason) for error in parsed.errors] == [
        ("bomb.png", "image too large: 9400x9400 pixels, the limit is 40,000,000")
    ]
    assert [position for position, _ in parsed.records] == [2]
