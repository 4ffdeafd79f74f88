"""The editor's endpoints answer bad input with 400 and the reason, never a 500."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.tests.factories import TeacherFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def author(client):
    client.force_login(TeacherFactory())
    client.raise_request_exception = False  # a crash must show as a 500 here, not as an exception
    return client


def test_an_upload_without_a_file_is_a_400_with_the_errors(author):
    response = author.post("/markdownx/upload/", {})  # a plain form post, not AJAX
    assert response.status_code == 400
    assert "image" in response.json()


def test_an_upload_of_a_non_image_is_a_400_with_the_errors(author, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    bad = SimpleUploadedFile("x.png", b"not an image at all", content_type="image/png")
    for headers in ({}, {"HTTP_X_REQUESTED_WITH": "XMLHttpRequest"}):
        response = author.post("/markdownx/upload/", {"image": bad}, **headers)
        assert response.status_code == 400, headers
        assert response.json()
        bad.seek(0)
    assert not any(tmp_path.rglob("*.*"))  # nothing was saved


def test_a_valid_ajax_upload_still_answers_the_markdown(author, settings, tmp_path):
    from PIL import Image

    settings.MEDIA_ROOT = tmp_path
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, format="PNG")
    image = SimpleUploadedFile("red.png", buffer.getvalue(), content_type="image/png")
    response = author.post("/markdownx/upload/", {"image": image}, HTTP_X_REQUESTED_WITH="XMLHttpRequest")
    assert response.status_code == 200
    assert response.json()["image_code"].startswith("![](")


def test_a_preview_without_content_is_a_400(author):
    response = author.post("/markdownx/markdownify/", {})
    assert response.status_code == 400
    assert b"content" in response.content
