"""The marketer's journey in a real browser: log in to the admin, create a landing page, publish it."""

import re

import pytest
from playwright.sync_api import expect

from home.models import LandingPage

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_marketer_creates_and_publishes_a_landing_page(page, live_server, site_root, marketer, password):
    page.goto(live_server.url + "/admin/")
    page.locator("#id_username").fill(marketer.email)
    page.locator("#id_password").fill(password)
    page.get_by_role("button", name=re.compile("Sign in", re.I)).click()
    expect(page).to_have_url(re.compile(r"/admin/$"))

    page.goto(f"{live_server.url}/admin/pages/add/home/landingpage/{site_root.pk}/")
    page.get_by_role("textbox", name=re.compile("^Title")).fill("Autumn knitwear edit")
    page.get_by_role("tab", name=re.compile("^Promote")).click()
    slug = page.get_by_role("textbox", name=re.compile("^Slug"))
    # Wagtail copies the title into the slug after a short delay; filling the slug before that
    # copy has happened races it. Wait for the synced value, then set ours and check it held.
    expect(slug).to_have_value("autumn-knitwear-edit")
    slug.fill("autumn-knitwear-edit")
    expect(slug).to_have_value("autumn-knitwear-edit")
    page.locator("#id_search_description").fill("Wool for cold days.")
    page.get_by_role("button", name=re.compile("More actions", re.I)).click()
    page.get_by_role("button", name=re.compile("^Publish")).click()
    expect(
        page.get_by_text(re.compile("has been published|created and published", re.I)).first
    ).to_be_visible()

    landing = LandingPage.objects.get(title="Autumn knitwear edit")
    assert landing.live
    page.goto(live_server.url + "/autumn-knitwear-edit/")
    expect(page.get_by_role("heading", name="Autumn knitwear edit", level=1)).to_be_visible()
    expect(page.locator('meta[name="description"]')).to_have_attribute("content", "Wool for cold days.")
