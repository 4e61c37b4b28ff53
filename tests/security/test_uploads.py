"""Image uploads in Wagtail's admin, for shop staff and marketers alike: a file that is not an
image, a file over the size limit and a decompression bomb are refused with a message, and
no image row or file is left behind. A small real photo goes through, so the test can fail."""

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from wagtail.images import get_image_model

from . import images
from .conftest import count_request


@pytest.fixture(scope="module")
def bomb() -> bytes:
    return images.png_bomb()


@pytest.fixture(scope="module")
def oversized() -> bytes:
    data = images.small_png() + bytes(settings.WAGTAILIMAGES_MAX_UPLOAD_SIZE)  # a real PNG, 10 MB too long
    assert len(data) > settings.WAGTAILIMAGES_MAX_UPLOAD_SIZE
    return data


def bad_files(bomb: bytes, oversized: bytes):
    return [
        ("brochure.png", images.NOT_AN_IMAGE, "Upload a valid image"),
        (
            "script.svg",
            b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>",
            "Not a supported",
        ),
        ("huge.png", oversized, "This file is too big"),
        ("bomb.png", bomb, "too many pixels"),
    ]


@pytest.fixture(params=["marketer", "staff_user"])
def uploader(request, roles):
    return request.getfixturevalue(request.param)


@pytest.mark.django_db
def test_image_add_form_refuses_bad_files_with_a_message(client, uploader, bomb, oversized):
    client.force_login(uploader)
    Image = get_image_model()
    for name, data, message in bad_files(bomb, oversized):
        count_request()
        response = client.post(
            "/admin/images/add/", {"title": name, "file": SimpleUploadedFile(name, data), "collection": 1}
        )
        assert response.status_code == 200, name
        assert message in response.content.decode(), name
    assert not Image.objects.exists()
    response = client.post(
        "/admin/images/add/", {"title": "ok", "file": SimpleUploadedFile("ok.png", images.small_png())}
    )
    assert response.status_code == 302
    assert Image.objects.get().uploaded_by_user == uploader


@pytest.mark.django_db
def test_multiple_upload_and_chooser_upload_refuse_bad_files(client, uploader, bomb, oversized):
    client.force_login(uploader)
    for name, data, message in bad_files(bomb, oversized):
        count_request()
        response = client.post("/admin/images/multiple/add/", {"files[]": SimpleUploadedFile(name, data)})
        assert response.status_code == 200, name
        body = response.json()
        assert body["success"] is False and message in body["error_message"], name
        count_request()
        response = client.post(
            "/admin/images/chooser/create/",
            {"image-chooser-upload-title": name, "image-chooser-upload-file": SimpleUploadedFile(name, data)},
        )
        assert response.status_code == 200, name
        assert message in response.content.decode(), name
    assert not get_image_model().objects.exists()
