

def test_a_release_tag_names_its_version_after_the_applications_name():
    from wicked_platform.tools.changes.image_refs import tag_version

    assert [tag_version(t) for t in ("v2.3.1", "2.3.1-rc1", "cart-api-v2.3.1", "cart-api/v2.3.1", "cart-api@2.3.1",
                                     "release/2.3.1", "main", "9f1c2ab", "checkout-api-7d9f")] == [
        "v2.3.1", "2.3.1-rc1", "v2.3.1", "v2.3.1", "2.3.1", "2.3.1", None, None, None]
