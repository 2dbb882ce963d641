"""The web page in a real browser (kader serve, Playwright, the system's chromium)."""

from __future__ import annotations

from pathlib import Path


def test_the_browser_asking_for_an_icon_gets_no_error():
    """Every browser asks a site for /favicon.ico on every page; a 404 there is a console error on every
    page of the site (the browser test saw it), before and after logging in."""
    from kadertoets.web.app import Settings, create_app
    from kadertoets.web.site import Site

    app = create_app(Settings(site=Site((Path("niet-gelezen"),)), hosts={"localhost"}, token="tok"))
    client = app.test_client()
    assert client.get("/favicon.ico").status_code == 204
    client.get("/?token=tok")
    response = client.get("/favicon.ico")
    assert response.status_code == 204 and response.data == b""
