"""A real Chromium signs up and sees the logged-in navigation."""

import pytest

from accounts.models import User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sign_up_and_see_the_signed_in_navigation(page):
    console = []
    page.on("console", lambda message: console.append(message.text))
    page.goto("/")
    page.get_by_role("link", name="Sign up").first.click()
    page.get_by_label("Email").fill("browser.learner@example.org")
    page.get_by_label("Username").fill("browserlearner")
    page.locator("input[name=password1]").fill("a-long-browser-passphrase")
    page.locator("input[name=password2]").fill("a-long-browser-passphrase")
    page.get_by_role("button", name="Sign Up").click()
    page.wait_for_url("**/")
    nav = page.get_by_test_id("nav-user")
    assert "browserlearner" in nav.inner_text()
    assert page.get_by_test_id("nav-logout").is_visible()
    assert User.objects.get(username="browserlearner").role == "student"
    page.get_by_test_id("nav-logout").click()
    assert page.get_by_test_id("nav-account").get_by_role("link", name="Log in").is_visible()
    assert [m for m in console if "Content Security Policy" in m] == []
