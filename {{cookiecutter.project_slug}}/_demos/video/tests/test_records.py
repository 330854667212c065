import pytest
from PIL import Image

from {{ cookiecutter.package_name }}.config import Settings
from {{ cookiecutter.package_name }}.records import parse_files
from {{ cookiecutter.package_name }}.uploads import InvalidItemError, InvalidUploadError, SourceFile
from staging import as_tasks_carry_them

from examples import CLIP, CLIPS, PICTURES, TRUNCATED


def test_the_type_comes_from_the_content_not_the_name(settings: Settings) -> None:
    webm = CLIPS[-1].read_bytes()
    parsed = parse_files([SourceFile("really-a-webm.mp4", data=webm)], settings)
    [(_, record)] = parsed.records
    assert (record.media_type, record.width, record.height) == ("video/webm", 320, 240)
    [carried] = as_tasks_carry_them(parsed, settings)
    carried.encoder_inputs()
    assert carried.file.endswith(".webm")


def test_bad_files_are_reported_by_name_and_the_rest_kept(settings: Settings) -> None:
    files = [
        SourceFile("empty.mp4", data=b""),
        SourceFile("clip.mp4", data=CLIP),
        SourceFile("photo.mp4", data=PICTURES[0]),
    ]
    parsed = parse_files(files, settings)
    assert [(error.item, error.reason) for error in parsed.errors] == [
        ("empty.mp4", "empty file"),
        ("photo.mp4", "a still image, not a video"),
    ]
    assert [position for position, _ in parsed.records] == [2]
    assert parsed.label(2) == "clip.mp4"


def test_an_upload_without_any_video_is_refused(settings: Settings) -> None:
    with pytest.raises(InvalidUploadError, match="no video could be read"):
        parse_files([SourceFile("a.txt", data=b"text")], settings)


def test_a_truncated_video_fails_when_its_frames_are_read(settings: Settings) -> None:
    parsed = parse_files([SourceFile("cut.mp4", data=TRUNCATED)], settings)
    [record] = as_tasks_carry_them(parsed, settings)
    with pytest.raises(InvalidItemError, match="truncated video"):
        record.encoder_inputs()


def test_frames_and_their_times_come_out_of_a_good_video(settings: Settings) -> None:
    files = [SourceFile("a.mp4", data=CLIP), SourceFile("copy.mp4", data=CLIP)]
    records = as_tasks_carry_them(parse_files(files, settings), settings)
    for record in records:
        frames = record.encoder_inputs()
        assert len(frames) == 9
        assert all(isinstance(frame, Image.Image) for frame in frames)
        assert record.frame_times == [float(second) for second in range(9)]
    assert records[0].file == records[1].file
    assert [p.name for p in settings.media_root.rglob("*") if p.is_file()] == [records[0].file]


def test_the_sampling_rate_is_a_setting(settings: Settings) -> None:
    faster = settings.model_copy(update={"frames_per_second": 2.0})
    [record] = as_tasks_carry_them(parse_files([SourceFile("a.mp4", data=CLIP)], faster), faster)
    assert len(record.encoder_inputs()) == 18
    assert record.frame_times == [n / 2 for n in range(18)]


def test_a_video_whose_frames_are_too_large_is_refused_before_decoding(
    settings: Settings,
) -> None:
    """Memory goes by pixels: a frame is decoded full-size before it is made small."""
    small = settings.model_copy(update={"max_picture_pixels": 320 * 240 - 1})
    refusal = "video too large: 320x240 pixels a frame, the limit is 76,799"
    with pytest.raises(InvalidUploadError, match=refusal):
        parse_files([SourceFile("big.webm", data=CLIPS[-1].read_bytes())], small)
