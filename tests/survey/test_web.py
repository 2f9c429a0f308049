"""Template helpers every room shares."""

from survey.web import soft_hyphens


def test_long_words_get_soft_hyphens_between_syllables(app):
    with app.test_request_context("/?lang=sv"):
        assert soft_hyphens("Vardagskvällar") == "Var\u00addags\u00adkväl\u00adlar"
        assert soft_hyphens("Helg dag") == "Helg dag"  # short words are left whole
    with app.test_request_context("/?lang=en"):
        assert soft_hyphens("Weekday evenings").replace("\u00ad", "") == "Weekday evenings"
        assert "\u00ad" in soft_hyphens("Weekday evenings")


def test_a_missing_admin_page_leads_back_and_a_survey_link_page_stays_bare(client, login_as):
    login_as("organizer", "Sundsvall")
    page = client.get("/admin/print/")
    assert page.status_code == 404 and 'href="/admin/"' in page.get_data(as_text=True)
    bare = client.get("/s/not-a-real-token")
    assert bare.status_code == 404 and 'href="/admin/"' not in bare.get_data(as_text=True)
