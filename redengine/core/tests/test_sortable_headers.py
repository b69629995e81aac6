"""Sortable column headers say that they sort, and which way the current sort runs (aria-sort)."""

import re

from django.urls import reverse


def _header(html, label):
    match = re.search(r"<th[^>]*>(?:(?!</th>).)*" + re.escape(label) + r"(?:(?!</th>).)*</th>", html, re.S)
    assert match, f"no header {label}"
    return match.group(0)


def test_headers_show_which_columns_sort_and_the_current_direction(client_for):
    client = client_for("city_admin")
    url = reverse("orgs:organization_list")

    html = client.get(url).content.decode()
    name = _header(html, "名称")
    assert 'class="sortable"' in name
    assert "sort-hint" in name
    assert "aria-sort" not in name
    assert "按此列排序" in name

    html = client.get(url, {"sort": "name_key"}).content.decode()
    name = _header(html, "名称")
    assert 'aria-sort="ascending"' in name
    assert "sort=-name_key" in name
    assert "sort-hint" not in name

    html = client.get(url, {"sort": "-name_key"}).content.decode()
    name = _header(html, "名称")
    assert 'aria-sort="descending"' in name
    assert "sort=name_key" in name
    assert 'aria-sort="descending"' not in _header(html, "成立日期")


def test_the_organization_list_shares_the_table_and_indents_the_tree_only_in_path_order(client_for):
    client = client_for("city_admin")
    url = reverse("orgs:organization_list")
    html = client.get(url).content.decode()
    assert "table-cards" in html
    assert "data-pk=" in html
    assert 'data-label="名称"' in html
    assert "tree-indent-" in html
    assert "tree-indent-" not in client.get(url, {"sort": "name_key"}).content.decode()
