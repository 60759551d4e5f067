"""The service taxonomy: services without mapped terms are typed from their own words."""

from __future__ import annotations

from bot.directory.taxonomy import load_taxonomy


def test_keywords_map_unlabelled_services():
    taxonomy = load_taxonomy()
    assert taxonomy.types_for_text("Safe Haven Refuges", "") == ("refuge",)
    assert taxonomy.types_for_text("Family Hub", "Caring Dads: a perpetrator programme") == ("perpetrator_programme",)
    assert taxonomy.types_for_text("Hope Project", "Support after domestic abuse") == ("specialist_da_adults",)
    assert taxonomy.types_for_text("Lunch club", "Meals for older people") == ()
    assert taxonomy.types_for_terms(["Counselling", "Unrelated"]) == ("counselling_recovery",)
