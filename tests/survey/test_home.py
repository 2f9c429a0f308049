"""The start page at /: someone who types the bare address learns what this is and where to go."""

from __future__ import annotations


def test_root_says_what_kraftkartan_is_and_links_to_the_login(client):
    response = client.get("/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'href="/admin/login"' in html
    assert "personliga länk" in html and "QR-koden" in html  # members: answer through your link
    assert 'href="?lang=en"' in html


def test_root_follows_the_language_choice(client):
    response = client.get("/?lang=en")
    assert response.status_code == 200
    assert '<html lang="en">' in response.get_data(as_text=True)
